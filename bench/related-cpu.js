'use strict';
/**
 * e, apart: server CPU per request of section e's page (the homepage reaching 20 articles through a
 * relation) in three processes on SQLite, plain Strapi, the plugin with no variants and the plugin
 * with 5,000 live variants serving nothing without a token, single requests interleaved over the
 * three after a warm-up. Gives what the plugin's work costs where section e's throughput cell
 * compares two groups of processes measured one after the other. The ratios per block of 500
 * rounds are the noise floor.
 * Usage: node bench/related-cpu.js [--requests=3000]
 */
const { startApps, stopApp, cleanup, cleanupOnSignals } = require('./lib/apps');
const { warmUp, interleaved } = require('./lib/load');
const { ENTRIES } = require('./delivery');
const { ROUTE, HIGHLIGHTS, checkRoute, checkNothingServed } = require('./related');
const { mean, round } = require('./lib/stats');

const VARIANTS = 5000;
const BLOCK = 500;

async function run({ requests = 3000, warmup = 10, log = console.log } = {}) {
  const apps = await startApps([
    { name: 'e-cpu-plain', plugin: false, client: 'sqlite' },
    { name: 'e-cpu-none', plugin: true, client: 'sqlite' },
    { name: 'e-cpu-live', plugin: true, client: 'sqlite' },
  ]);
  try {
    await Promise.all(
      apps.map(async (app) => {
        await app.call('seed', { entries: ENTRIES, variants: 0 });
        await app.call('seedHomepage', { highlights: HIGHLIGHTS });
        await checkRoute(app);
      })
    );
    await apps[2].call('setVariants', { variants: VARIANTS });
    await checkNothingServed(apps[2]);
    await warmUp(apps, { path: ROUTE, seconds: warmup, connections: 4 });
    log(`  e-cpu: warmed ${warmup} s per process; ${requests} requests interleaved over the three…`);
    const cpuBefore = await Promise.all(apps.map((app) => app.call('cpuUsage')));
    const times = await interleaved({ targets: apps.map((app) => ({ port: app.port, path: ROUTE })), rounds: requests });
    const cpuAfter = await Promise.all(apps.map((app) => app.call('cpuUsage')));
    const cpu = apps.map((app, index) => (cpuAfter[index] - cpuBefore[index]) / 1000 / requests);
    const blocks = [];
    for (let start = 0; start < requests; start += BLOCK) {
      const [plain, none, live] = times.map((series) => mean(series.slice(start, start + BLOCK)));
      blocks.push({ none: round(plain / none, 3), live: round(plain / live, 3) });
    }
    const [plainMs, noneMs, liveMs] = times.map(mean);
    return {
      route: ROUTE,
      requests,
      cpuMsPerRequest: { plain: round(cpu[0], 3), noVariants: round(cpu[1], 3), live: round(cpu[2], 3) },
      cpuRatio: { noVariants: round(cpu[1] / cpu[0], 3), live: round(cpu[2] / cpu[0], 3) },
      meanMs: { plain: round(plainMs, 3), noVariants: round(noneMs, 3), live: round(liveMs, 3) },
      throughputRatio: { noVariants: round(plainMs / noneMs, 3), live: round(plainMs / liveMs, 3) },
      blockThroughputRatios: blocks,
    };
  } finally {
    await Promise.all(apps.map(stopApp));
    await cleanup();
  }
}

module.exports = { run };

if (require.main === module) {
  const requests = Number((process.argv.find((arg) => arg.startsWith('--requests=')) ?? '--requests=3000').split('=')[1]);
  cleanupOnSignals();
  run({ requests }).then(
    (result) => {
      const { cpuRatio, throughputRatio, cpuMsPerRequest, blockThroughputRatios } = result;
      console.log(`server CPU per request, plain ${cpuMsPerRequest.plain} ms: plugin with no variants ${cpuRatio.noVariants}×, with ${VARIANTS} live and nothing served ${cpuRatio.live}×`);
      console.log(`throughput / plain: ${throughputRatio.noVariants} and ${throughputRatio.live}; per block of ${BLOCK} rounds: ${blockThroughputRatios.map((block) => `${block.none}/${block.live}`).join(' ')}`);
    },
    (error) => {
      console.error(error);
      process.exitCode = 1;
    }
  );
}
