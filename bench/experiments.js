'use strict';
/**
 * f. Experiments over real HTTP: GET /api/articles (25 of 5,000 entries), every base with a variant
 * (5,000 live variants), with a running experiment on every base vs no experiment. The same method
 * as section b (bench/delivery.js), reused from it: two plugin processes crossed over, one without
 * experiments while the other runs 5,000, then swapped; single requests interleaved over both, with
 * a token granting `measurement` (every entry on the page enrolled, its arm served, an exposure
 * buffered) and without one (nothing enrolled, the chain without the arm variants); plain Strapi for
 * reference; on SQLite and PostgreSQL. Then the SQL of enrolled requests, counted: reads per request
 * against the same requests without experiments, and writes, which must be none (the exposures wait
 * in memory for the flush, whose statements are shown apart).
 * Usage: node bench/experiments.js [--quick] [--db=sqlite,postgres]
 * (BENCH_F_ROUNDS sets the number of crossed rounds, 4 by default.)
 */
const { startApps, stopApp, cleanupOnSignals, eachDatabase, pluginPath } = require('./lib/apps');
const { ENTRIES, TOKEN_HEADER, latencySection } = require('./delivery');
const { round } = require('./lib/stats');

const PATH = '/api/articles';
const EXPERIMENTS = ENTRIES;
const LEVELS = [0, EXPERIMENTS];
const ROUTE = `GET ${PATH} (25 of ${ENTRIES} entries, ${ENTRIES} live variants)`;

const FULL = { latency: { rounds: +(process.env.BENCH_F_ROUNDS || 4), requests: 100, warmup: 20 }, sql: { requests: 50 } };
const QUICK = { latency: { rounds: 1, requests: 20, warmup: 5 }, sql: { requests: 10 } };

/** Every entry on the page must be enrolled with the token, or the cell measures something else. */
async function checkEnrolled(app, token) {
  const probe = await app.call('probe', { path: PATH, headers: { [TOKEN_HEADER]: token } });
  const enrolled = probe.reasons.experiment ?? 0;
  if (probe.status !== 200 || enrolled !== probe.entries || probe.entries !== 25) {
    throw new Error(`${app.name}: ${enrolled} of ${probe.entries} entries enrolled (${probe.status}), expected 25 of 25`);
  }
  if (!/private/.test(probe.cacheControl ?? '')) throw new Error(`${app.name}: an enrolled response is cached (${probe.cacheControl})`);
  return probe;
}

/** Reads and writes of enrolled requests with experiments running, against the same requests without. */
async function sqlSection(app, token, settings) {
  const request = { path: PATH, headers: { [TOKEN_HEADER]: token }, requests: settings.requests };
  await app.call('setExperiments', { experiments: 0 });
  const without = await app.call('requestPath', request);
  await app.call('setExperiments', { experiments: EXPERIMENTS });
  const probe = await checkEnrolled(app, token);
  const withExperiments = await app.call('requestPath', request);
  const perRequest = (cell) => round(cell.dataQueries / cell.requests, 2);
  return {
    requests: settings.requests,
    enrolledOnPage: probe.reasons.experiment,
    armsOnPage: probe.kinds,
    dataQueriesPerRequest: { withoutExperiments: perRequest(without), withExperiments: perRequest(withExperiments) },
    writesOnRequestPath: { withoutExperiments: without.writes, withExperiments: withExperiments.writes },
    writeSamples: withExperiments.writeSamples,
    // Written meanwhile outside any request (another counter's timer, the coherence check): not the request path.
    writesOutsideRequests: { withoutExperiments: without.outsideRequests.writes, withExperiments: withExperiments.outsideRequests.writes },
    bufferedAfter: withExperiments.pendingAfter,
    flush: withExperiments.flush,
    met: withExperiments.writes === 0 && withExperiments.pendingAfter > 0,
  };
}

async function runDatabase(database, settings, log) {
  const specs = [
    { name: `f-${database}-plain`, plugin: false, client: database },
    { name: `f-${database}-plugin-1`, plugin: true, client: database },
    { name: `f-${database}-plugin-2`, plugin: true, client: database },
  ];
  const started = Date.now();
  const apps = await startApps(specs);
  log(`  f. ${database}: ${apps.length} apps booted in ${round((Date.now() - started) / 1000, 1)} s`);
  const [plain, ...pair] = apps;
  try {
    const seeded = Date.now();
    await plain.call('seed', { entries: ENTRIES, variants: 0 });
    await Promise.all(pair.map((app) => app.call('seed', { entries: ENTRIES, variants: ENTRIES })));
    log(`  f. ${database}: seeded in ${round((Date.now() - seeded) / 1000, 1)} s`);
    const token = await pair[0].call('token', { purposes: ['personalization', 'measurement'] });
    await pair[0].call('setExperiments', { experiments: EXPERIMENTS });
    await checkEnrolled(pair[0], token);
    await pair[0].call('setExperiments', { experiments: 0 });
    const latency = await latencySection(database, plain, pair, token, settings.latency, log, {
      path: PATH,
      levels: LEVELS,
      route: ROUTE,
      tag: 'f',
      command: 'setExperiments',
    });
    const top = latency.levels.at(-1);
    latency.target = 1.05;
    latency.met = top['no token'].ratioVs0 <= 1.05 && top.token.ratioVs0 <= 1.05;
    const sql = await sqlSection(pair[0], token, settings.sql);
    return { latency, sql };
  } finally {
    await Promise.all(apps.map(stopApp));
  }
}

function run({ quick = false, databases = ['sqlite', 'postgres'], log = console.log } = {}) {
  const settings = quick ? QUICK : FULL;
  const result = { entries: ENTRIES, experiments: EXPERIMENTS, levels: LEVELS, route: ROUTE, pluginLoadedFrom: pluginPath(), databases: {} };
  return eachDatabase(result, databases, log, 'f', (database) => runDatabase(database, settings, log));
}

module.exports = { run, EXPERIMENTS };

if (require.main === module) {
  const { parseArgs, printExperiments } = require('./run');
  const options = parseArgs(process.argv.slice(2));
  cleanupOnSignals();
  run(options).then(
    (result) => console.log(printExperiments(result)),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    }
  );
}
