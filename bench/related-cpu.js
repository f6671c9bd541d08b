'use strict';
/**
 * e, apart: server CPU per request of section e's page (the homepage reaching 20 articles through a
 * relation) in three processes on SQLite, plain Strapi, the plugin with no variants and the plugin
 * with 5,000 live variants serving nothing without a token, single requests interleaved over the
 * three after a warm-up. Gives what the plugin's work costs where section e's throughput cell
 * compares two groups of processes measured one after the other. The ratios per block of 500
 * rounds are the noise floor.
 * Then, in each plugin process, delivery is switched off and on in alternating blocks (the
 * bench app wraps the hooks the plugin's register installs; bench/lib/app.js): what delivery
 * costs within one process, free of the few per cent by which two processes of the same code
 * differ. The spread over groups of cycles is its noise floor. The two plugin processes here run
 * with the switch's wrappers (a closure call per hook); section e's own processes run without.
 * The same wrappers time the hooks' own work while delivery is on (Strapi's work inside them left
 * out; bench/lib/app.js `hookTime`): microseconds per request, by part, beside the response time;
 * and each mode's garbage-collection pauses and server CPU per request.
 * Usage: node bench/related-cpu.js [--requests=3000] [--cycles=40]
 */
const { startApps, stopApp, cleanup, cleanupOnSignals } = require('./lib/apps');
const { warmUp, interleaved } = require('./lib/load');
const { ENTRIES } = require('./delivery');
const { ROUTE, HIGHLIGHTS, checkRoute, checkNothingServed } = require('./related');
const { mean, round } = require('./lib/stats');

const VARIANTS = 5000;
const BLOCK = 500;

/** Rounds per block of the within-process cell, and blocks per group when its spread is read. */
const SWITCH_BLOCK = 50;
const SWITCH_GROUP = 8;

/**
 * Delivery switched on and off in blocks of `SWITCH_BLOCK` rounds inside each of `apps`, the two
 * modes in turn (which goes first alternates), requests interleaved over the apps. Per app: mean
 * response time and server CPU per request in each mode, and throughput on / off overall and per
 * group of cycles.
 */
async function withinProcess(apps, { cycles }) {
  const sums = apps.map(() => ({ on: { ms: [], cpu: 0, hooks: {}, gc: 0 }, off: { ms: [], cpu: 0, gc: 0 } }));
  const setDelivery = (on) => Promise.all(apps.map((app) => app.call('delivery', { on })));
  try {
    // The switch must switch: labels with delivery on, none without.
    for (const on of [false, true]) {
      await setDelivery(on);
      await Promise.all(apps.map((app) => checkSwitch(app, on)));
    }
    // Each mode's own code paths warmed in turn before anything is counted.
    for (let turn = 0; turn < 6; turn++) {
      await setDelivery(turn % 2 === 1);
      await warmUp(apps, { path: ROUTE, seconds: 2, connections: 4 });
    }
    for (let cycle = 0; cycle < cycles; cycle++) {
      for (const on of cycle % 2 === 0 ? [true, false] : [false, true]) {
        await setDelivery(on);
        await Promise.all(apps.map((app) => app.call('deliveryTime')));
        const before = await Promise.all(apps.map((app) => app.call('cpuUsage')));
        const times = await interleaved({ targets: apps.map((app) => ({ port: app.port, path: ROUTE })), rounds: SWITCH_BLOCK });
        const after = await Promise.all(apps.map((app) => app.call('cpuUsage')));
        const timed = await Promise.all(apps.map((app) => app.call('deliveryTime')));
        apps.forEach((app, index) => {
          const mode = sums[index][on ? 'on' : 'off'];
          mode.ms.push(...times[index]);
          mode.cpu += after[index] - before[index];
          mode.gc += timed[index].gc;
          if (on) for (const [part, us] of Object.entries(timed[index].hooks)) mode.hooks[part] = (mode.hooks[part] ?? 0) + us;
        });
      }
    }
  } finally {
    await setDelivery(true);
  }
  // Each mode adds one block a cycle, so a group of cycles is the same stretch of both series.
  const span = SWITCH_GROUP * SWITCH_BLOCK;
  return apps.map((app, index) => {
    const { on, off } = sums[index];
    const groups = [];
    for (let start = 0; start + span <= on.ms.length; start += span) {
      groups.push(round(mean(off.ms.slice(start, start + span)) / mean(on.ms.slice(start, start + span)), 3));
    }
    const hookUs = Object.fromEntries(Object.entries(on.hooks).map(([part, us]) => [part, round(us / on.ms.length, 1)]));
    const ownUs = Object.values(on.hooks).reduce((sum, us) => sum + us, 0) / on.ms.length;
    return {
      app: app.name,
      meanMs: { on: round(mean(on.ms), 3), off: round(mean(off.ms), 3) },
      hooksUsPerRequest: { ...hookUs, total: round(ownUs, 1) },
      gcUsPerRequest: { on: round(on.gc / on.ms.length, 1), off: round(off.gc / off.ms.length, 1) },
      cpuUsPerRequest: { on: round(on.cpu / on.ms.length, 1), off: round(off.cpu / off.ms.length, 1) },
      hooksShareOfResponse: round(ownUs / 1000 / mean(on.ms), 4),
      throughputOnOff: round(mean(off.ms) / mean(on.ms), 3),
      cpuOnOff: round(on.cpu / on.ms.length / (off.cpu / off.ms.length), 3),
      groupThroughputOnOff: groups,
    };
  });
}

async function checkSwitch(app, on) {
  const probe = await checkRoute(app);
  const labelled = Object.keys(probe.kinds).some((kind) => kind !== 'unlabelled');
  if (labelled !== on) throw new Error(`${app.name}: delivery switched ${on ? 'on' : 'off'}, but the homepage is ${labelled ? '' : 'not '}labelled`);
}

async function run({ requests = 3000, warmup = 10, cycles = 40, log = console.log } = {}) {
  const apps = await startApps([
    { name: 'e-cpu-plain', plugin: false, client: 'sqlite' },
    { name: 'e-cpu-none', plugin: true, client: 'sqlite', switchable: true },
    { name: 'e-cpu-live', plugin: true, client: 'sqlite', switchable: true },
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
    log(`  e-cpu: delivery switched off and on within each plugin process, ${cycles} cycles of ${SWITCH_BLOCK} rounds a mode…`);
    const [switchedNone, switchedLive] = await withinProcess(apps.slice(1), { cycles });
    return {
      route: ROUTE,
      requests,
      cpuMsPerRequest: { plain: round(cpu[0], 3), noVariants: round(cpu[1], 3), live: round(cpu[2], 3) },
      cpuRatio: { noVariants: round(cpu[1] / cpu[0], 3), live: round(cpu[2] / cpu[0], 3) },
      meanMs: { plain: round(plainMs, 3), noVariants: round(noneMs, 3), live: round(liveMs, 3) },
      throughputRatio: { noVariants: round(plainMs / noneMs, 3), live: round(plainMs / liveMs, 3) },
      blockThroughputRatios: blocks,
      withinProcess: { noVariants: switchedNone, live: switchedLive },
    };
  } finally {
    await Promise.all(apps.map(stopApp));
    await cleanup();
  }
}

module.exports = { run };

if (require.main === module) {
  const { values } = require('node:util').parseArgs({ options: { requests: { type: 'string', default: '3000' }, cycles: { type: 'string', default: '40' } } });
  cleanupOnSignals();
  run({ requests: Number(values.requests), cycles: Number(values.cycles) }).then(
    (result) => {
      const { cpuRatio, throughputRatio, cpuMsPerRequest, blockThroughputRatios, withinProcess: switched } = result;
      console.log(`server CPU per request, plain ${cpuMsPerRequest.plain} ms: plugin with no variants ${cpuRatio.noVariants}×, with ${VARIANTS} live and nothing served ${cpuRatio.live}×`);
      console.log(`throughput / plain: ${throughputRatio.noVariants} and ${throughputRatio.live}; per block of ${BLOCK} rounds: ${blockThroughputRatios.map((block) => `${block.none}/${block.live}`).join(' ')}`);
      for (const [label, cell] of [['no variants', switched.noVariants], [`${VARIANTS} live, nothing served`, switched.live]]) {
        console.log(
          `within one process, ${label}: throughput delivery on / off ${cell.throughputOnOff} (${cell.meanMs.on} vs ${cell.meanMs.off} ms), server CPU on / off ${cell.cpuOnOff}×; per ${SWITCH_GROUP} cycles: ${cell.groupThroughputOnOff.join(' ')}`
        );
        const parts = Object.entries(cell.hooksUsPerRequest)
          .filter(([part]) => part !== 'total')
          .map(([part, us]) => `${part} ${us}`)
          .join(', ');
        console.log(`  GC per request on / off: ${cell.gcUsPerRequest.on} / ${cell.gcUsPerRequest.off} µs; CPU ${cell.cpuUsPerRequest.on} / ${cell.cpuUsPerRequest.off} µs`);
        console.log(`  delivery's own time per request, on: ${cell.hooksUsPerRequest.total} µs (${parts}), ${(cell.hooksShareOfResponse * 100).toFixed(1)} % of the response time`);
      }
    },
    (error) => {
      console.error(error);
      process.exitCode = 1;
    }
  );
}
