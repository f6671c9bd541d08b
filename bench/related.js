'use strict';
/**
 * e. Related entries over real HTTP: GET /api/homepage?populate[highlights]=true, where the homepage
 * (a single type) reaches 20 articles through its `highlights` relation and each of those articles
 * has a variant at 5,000 live variants on the article type (every other one targeted at the bench
 * token). The same methods as bench/delivery.js, reused from it:
 *  - latency: two plugin processes crossed over, one at 0 variants while the other is at 5,000, then
 *    swapped; single requests interleaved over both, with and without a token, and plain Strapi;
 *    on SQLite and PostgreSQL;
 *  - throughput: several processes a side, warmed, single requests interleaved, plugin installed with
 *    nothing served vs plain Strapi on the same route, twice: no variants on the articles, then
 *    5,000 live variants and no token; SQLite;
 *  - SQL per request: plain vs plugin with nothing served and with nested variants served.
 * Usage: node bench/related.js [--quick] [--db=sqlite,postgres]
 */
const { startApps, stopApp, cleanup, cleanupOnSignals, pgServerVersion, pluginPath } = require('./lib/apps');
const { ENTRIES, TOKEN_HEADER, throughputSection, latencySection, queryRow } = require('./delivery');
const { round } = require('./lib/stats');

const HIGHLIGHTS = 20;
const VARIANTS = 5000;
const LEVELS = [0, VARIANTS];
const RELATION = 'highlights';
const ROUTE = `/api/homepage?populate[${RELATION}]=true`;
const ROUTE_LABEL = `GET ${ROUTE} (${HIGHLIGHTS} articles through a relation)`;

const FULL = {
  throughput: { requests: +(process.env.BENCH_E_REQUESTS || 2000), warmup: +(process.env.BENCH_E_WARMUP || 15), connections: 10, processes: 5 },
  latency: { rounds: 4, requests: 100, warmup: 20 },
};
const QUICK = {
  throughput: { requests: 300, warmup: 2, connections: 10, processes: 2 },
  latency: { rounds: 1, requests: 20, warmup: 5 },
};

/** A seeded app must answer the route with the homepage and all its highlights, or the figures mean nothing. */
async function checkRoute(app, headers = {}) {
  const probe = await app.call('probe', { path: ROUTE, headers, relation: RELATION });
  if (probe.status !== 200 || probe.entries !== 1 || probe.related.entries !== HIGHLIGHTS) {
    throw new Error(`${app.name}: ${ROUTE} answered ${probe.status} with ${probe.entries} entries and ${probe.related?.entries} ${RELATION}, expected 1 and ${HIGHLIGHTS}`);
  }
  return probe;
}

/** The route with live variants on every highlight, and none of them served without a token. */
async function checkNothingServed(app) {
  const probe = await checkRoute(app);
  if (probe.related.kinds.targeted || probe.related.kinds.mass) throw new Error(`${app.name}: a variant is served without a token: ${JSON.stringify(probe.related.kinds)}`);
}

/**
 * SQL statements of one request: nothing served must cost +0 data queries; nested variants served
 * at most +1 per content type served (only articles are served here).
 */
async function querySection(database, plain, app, token) {
  const withToken = { [TOKEN_HEADER]: token };
  const request = (headers) => ({ path: ROUTE, headers, relation: RELATION });
  const plainQueries = await plain.call('queries', request({}));
  const rows = [];
  const row = async (kind, headers, limit) => {
    const plugin = await app.call('queries', request(headers));
    const result = queryRow(kind, plainQueries, plugin);
    rows.push({ ...result, nestedServed: plugin.related.kinds.targeted ?? 0, limit, met: result.extraDataQueries <= limit });
  };
  await app.call('setVariants', { variants: 0 });
  await row('no variants on articles', {}, 0);
  await app.call('setVariants', { variants: VARIANTS });
  await row(`${VARIANTS} variants, none served (no token)`, {}, 0);
  await row(`${VARIANTS} variants, nested served (token)`, withToken, 1);
  return { database, rows };
}

/**
 * Boots plain Strapi and the plugin on `database` (SQLite: several processes a side for the
 * throughput cell, then one plain and two plugin processes; PostgreSQL: one plain, two plugin),
 * seeds the same 5,000 articles and the homepage in each, and measures.
 */
async function runDatabase(database, settings, log) {
  const throughput = database === 'sqlite';
  const each = throughput ? settings.throughput.processes : 1;
  const plainSpecs = Array.from({ length: each }, (_, index) => ({ name: `e-${database}-plain-${index + 1}`, plugin: false, client: database }));
  const pluginSpecs = Array.from({ length: Math.max(each, 2) }, (_, index) => ({ name: `e-${database}-plugin-${index + 1}`, plugin: true, client: database }));
  const started = Date.now();
  const apps = await startApps([...plainSpecs, ...pluginSpecs]);
  log(`  e. ${database}: ${apps.length} apps booted in ${round((Date.now() - started) / 1000, 1)} s`);
  const plains = apps.slice(0, plainSpecs.length);
  const plugins = apps.slice(plainSpecs.length);
  try {
    const seeded = Date.now();
    await Promise.all(
      apps.map(async (app) => {
        await app.call('seed', { entries: ENTRIES, variants: 0 });
        await app.call('seedHomepage', { highlights: HIGHLIGHTS });
        await checkRoute(app);
      })
    );
    log(`  e. ${database}: seeded in ${round((Date.now() - seeded) / 1000, 1)} s`);
    const token = await plugins[0].call('token');
    const out = {};
    if (throughput) {
      const measured = plugins.slice(0, each);
      // Plugin installed, no variant on the articles: the walk and labels, nothing to decide.
      out.throughputNoVariants = await throughputSection(plains, measured, settings.throughput, log, {
        path: ROUTE,
        route: `${ROUTE_LABEL}, no variants`,
        tag: 'e',
      });
      // Nothing served: live variants on every highlighted article, but none without a token.
      await Promise.all(measured.map((app) => app.call('setVariants', { variants: VARIANTS })));
      await checkNothingServed(measured[0]);
      out.throughput = await throughputSection(plains, measured, settings.throughput, log, {
        path: ROUTE,
        route: `${ROUTE_LABEL}, ${VARIANTS} live variants, nothing served (no token)`,
        tag: 'e',
      });
      await Promise.all([...plains.slice(1), ...plugins.slice(2)].map(stopApp));
    }
    out.latency = await latencySection(database, plains[0], plugins.slice(0, 2), token, settings.latency, log, {
      path: ROUTE,
      levels: LEVELS,
      route: ROUTE_LABEL,
      tag: 'e',
      relation: RELATION,
    });
    out.queries = await querySection(database, plains[0], plugins[0], token);
    return out;
  } finally {
    await Promise.all(apps.map(stopApp));
  }
}

async function run({ quick = false, databases = ['sqlite', 'postgres'], log = console.log } = {}) {
  const settings = quick ? QUICK : FULL;
  const result = { entries: ENTRIES, highlights: HIGHLIGHTS, levels: LEVELS, route: ROUTE, pluginLoadedFrom: pluginPath(), databases: {} };
  try {
    for (const database of databases) {
      if (database === 'postgres') {
        try {
          result.postgresVersion = await pgServerVersion();
        } catch (error) {
          result.databases.postgres = { skipped: `PostgreSQL at 127.0.0.1:5432 unreachable: ${error.message}` };
          log(`  e. postgres skipped: ${error.message}`);
          continue;
        }
      }
      result.databases[database] = await runDatabase(database, settings, log);
    }
  } finally {
    await cleanup();
  }
  return result;
}

module.exports = { run, ROUTE, HIGHLIGHTS, checkRoute, checkNothingServed };

if (require.main === module) {
  const { parseArgs, printRelated } = require('./run');
  const options = parseArgs(process.argv.slice(2));
  cleanupOnSignals();
  run(options).then(
    (result) => console.log(printRelated(result)),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    }
  );
}
