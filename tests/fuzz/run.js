'use strict';
/**
 * A long fuzz run: `npm run fuzz -- --minutes=N [--seed=S]` (DATABASE_CLIENT=sqlite by default;
 * postgres and mysql as in the tests). The same generators and checks as
 * tests/integration/fuzz.test.ts (tests/fuzz/fuzz.ts), against one Strapi process with the plugin
 * and one without it for reference, on 127.0.0.1. Prints a summary as it goes and at the end;
 * exits 1 with the shrunk counterexample when a property fails.
 */
require('esbuild-register/dist/node').register({ target: 'node20' });

const { startFuzzTarget } = require('./target.ts');
const { runFuzz } = require('./fuzz.ts');

function parseArgs(argv) {
  const options = { minutes: 10, seed: undefined };
  for (const arg of argv) {
    const [name, value] = arg.split('=');
    if (name === '--minutes') options.minutes = Number(value);
    else if (name === '--seed') options.seed = Number(value);
    else throw new Error(`unknown argument ${arg}; use --minutes=N [--seed=S]`);
  }
  if (!(options.minutes > 0 && options.minutes <= 24 * 60)) throw new Error('--minutes must be between 0 and 1440');
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const log = (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  log(`fuzzing for ${options.minutes} min on ${process.env.DATABASE_CLIENT || 'sqlite'}`);
  const setup = await startFuzzTarget();
  let report;
  try {
    report = await runFuzz(setup.target, { durationMs: options.minutes * 60_000, seed: options.seed, log });
  } catch (error) {
    await setup.stop().catch(() => undefined);
    throw error;
  }
  await setup.stop().catch((error) => console.error(`stopping: ${error.message}`));
  const { failure, ...summary } = report;
  console.log(JSON.stringify(summary, null, 2));
  if (failure) {
    console.error(`\nFAILED\n${failure}`);
    process.exitCode = 1;
  } else {
    log(`no failure in ${report.requests} requests (${Math.round(report.requests / (report.durationMs / 1000))}/s)`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
