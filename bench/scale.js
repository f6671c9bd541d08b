'use strict';
/**
 * Memory at scale, one Strapi process (tests/helpers/instance.ts), not part of `npm run bench`:
 *
 * - live variants: 50,000 published bases, then 0 / 5,000 / 50,000 targeted variants (one per base,
 *   audiences alternating, bench/lib/seed.js) with the index rebuilt; heap used and RSS after a full
 *   collection at each level, and the heap the index holds per live variant;
 * - revocations: 10,000 and then 1,000,000 revoked consent records (tokens valid 90 more days),
 *   loaded as the consent service loads them at start; heap per revocation, RSS, and the cost of a
 *   token check (a verified, cached token: the check every later request of a visitor takes).
 *
 * Usage: node --expose-gc bench/scale.js [--variants=0,5000,50000] [--revocations=10000,1000000]
 *        (DATABASE_CLIENT=sqlite by default; postgres and mysql as in the tests).
 * Writes bench/results/scale.json. About 10 minutes on SQLite on the shared 2-core machine.
 */
const fs = require('node:fs');
const path = require('node:path');

process.env.DATABASE_CLIENT = process.env.DATABASE_CLIENT || 'sqlite';
require('esbuild-register/dist/node').register({ target: 'node20' });

const { startCluster } = require('../tests/helpers/instance.ts');
const { table } = require('./lib/table');

const SEED = path.join(__dirname, 'lib', 'seed.js');
const PROBE = path.join(__dirname, 'lib', 'scale-probe.js');
const RESULTS = path.join(__dirname, 'results', 'scale.json');
const MB = 1024 * 1024;

function parseArgs(argv) {
  const options = { variants: [0, 5000, 50000], revocations: [10000, 1000000] };
  for (const arg of argv) {
    const [name, value] = arg.split('=');
    if (name === '--variants') options.variants = value.split(',').map(Number);
    else if (name === '--revocations') options.revocations = value.split(',').map(Number);
    else throw new Error(`unknown argument ${arg}; use --variants=0,5000,50000 --revocations=10000,1000000`);
  }
  return options;
}

const mb = (bytes) => (bytes / MB).toFixed(1);

async function main() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc bench/scale.js (the Strapi process inherits the flag)');
  const options = parseArgs(process.argv.slice(2));
  const entries = Math.max(...options.variants);
  const log = (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  const cluster = await startCluster({ count: 1 });
  const [instance] = cluster.instances;
  const call = (file, name, ...args) => instance.command('call', file, name, args);
  const results = { client: process.env.DATABASE_CLIENT, node: process.version, variants: [], revocations: [] };
  try {
    log(`seeding ${entries} bases`);
    await call(SEED, 'seed', { entries, variants: 0 });
    for (const variants of options.variants) {
      const seeded = await call(SEED, 'setVariants', { variants });
      const memory = await call(PROBE, 'memory');
      results.variants.push({ variants, seedMs: seeded.ms, ...memory });
      log(`${variants} variants: heap ${mb(memory.heapUsed)} MB, RSS ${mb(memory.rss)} MB`);
    }
    const none = results.variants.find((row) => row.variants === 0);
    for (const row of results.variants) {
      row.indexBytesPerVariant = none && row.variants > 0 ? Math.round((row.heapUsed - none.heapUsed) / row.variants) : null;
    }

    // Revocations after the variants are gone again, on top of the same process.
    await call(SEED, 'setVariants', { variants: 0 });
    const before = await call(PROBE, 'memory');
    const check0 = await call(PROBE, 'revocationCheck', 200000);
    results.revocations.push({ revocations: 0, ...before, ...check0, bytesPerRevocation: null });
    let seededSoFar = 0;
    for (const count of options.revocations) {
      const added = await call(PROBE, 'seedRevocations', count - seededSoFar);
      seededSoFar = count;
      const memory = await call(PROBE, 'memory');
      const check = await call(PROBE, 'revocationCheck', 200000);
      results.revocations.push({
        revocations: count,
        loadMs: added.loadMs,
        ...memory,
        ...check,
        bytesPerRevocation: Math.round((memory.heapUsed - before.heapUsed) / count),
      });
      log(`${count} revocations: heap ${mb(memory.heapUsed)} MB, check ${check.validNs} ns (revoked ${check.revokedNs} ns)`);
    }
  } finally {
    await cluster.stop();
  }

  console.log(`\nLive variants (${results.client}, one process, after a full GC)\n`);
  console.log(
    table(
      ['live variants', 'heap MB', 'RSS MB', 'index bytes / variant'],
      results.variants.map((row) => [row.variants.toLocaleString('en'), mb(row.heapUsed), mb(row.rss), row.indexBytesPerVariant])
    )
  );
  console.log(`\nRevocations\n`);
  console.log(
    table(
      ['revocations', 'heap MB', 'RSS MB', 'bytes / revocation', 'load ms', 'check ns (valid)', 'check ns (revoked)'],
      results.revocations.map((row) => [row.revocations.toLocaleString('en'), mb(row.heapUsed), mb(row.rss), row.bytesPerRevocation, row.loadMs, row.validNs, row.revokedNs])
    )
  );
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, JSON.stringify({ measuredAt: new Date().toISOString(), ...results }, null, 2));
  console.log(`\nwritten to ${path.relative(process.cwd(), RESULTS)}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
