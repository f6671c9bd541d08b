'use strict';
/**
 * Delivery costs over real HTTP, each Strapi app in its own child process on 127.0.0.1:
 *  a. plain Strapi vs plugin installed (type enabled, no variants): throughput on GET /api/articles,
 *     two processes of each, single requests interleaved between them;
 *  b. a list of 25 of 5,000 entries with 0 / 100 / 1,000 / 5,000 live variants: median latency,
 *     with and without a consent token, on SQLite and PostgreSQL;
 *  c. SQL statements per request kind, plugin vs plain, counted from knex's 'query' event.
 * The plugin is loaded from its TypeScript sources (tests/fixtures/plugin-source, esbuild-register).
 * BENCH_PLUGIN_PATH=. loads the built dist instead (run `npm run build` first).
 * Usage: node bench/delivery.js [--quick] [--sections=a,b,c] [--db=sqlite,postgres]
 * (BENCH_A_REQUESTS and BENCH_A_WARMUP shorten or lengthen section a.)
 */
const { startApps, stopApp, cleanup, cleanupOnSignals, pgServerVersion, pluginPath } = require('./lib/apps');
const { load, interleaved } = require('./lib/load');
const { median, round } = require('./lib/stats');

const ENTRIES = 5000;
const LEVELS = [0, 100, 1000, 5000];
const LIST = '/api/articles';
const TOKEN_HEADER = 'x-consent-token';

// Load from other processes and the host comes in bursts of seconds, and a fresh Strapi process
// keeps getting faster for a minute: (a) warms each app long, then interleaves single requests over
// the apps, so every burst falls on all of them; (b) takes many short rounds, each ratio from two
// cells seconds apart.
const FULL = {
  throughput: { requests: +(process.env.BENCH_A_REQUESTS || 4000), warmup: +(process.env.BENCH_A_WARMUP || 20), connections: 10 },
  latency: { rounds: 12, seconds: 0.6, warmup: 1, connections: 1 },
};
const QUICK = {
  throughput: { requests: 300, warmup: 2, connections: 10 },
  latency: { rounds: 3, seconds: 0.3, warmup: 0.5, connections: 1 },
};

const ratio = (value, baseline) => round(value / baseline, 3);

/**
 * `load` plus the app's own CPU time per request (ms): a second view of the cost that other
 * processes on the machine disturb much less than wall-clock latency (SQLite runs in-process;
 * PostgreSQL's share runs in the server and is not in it).
 */
async function measure(app, options) {
  const before = await app.call('cpuUsage');
  const result = await load({ port: app.port, ...options });
  const after = await app.call('cpuUsage');
  return { ...result, cpuMsPerRequest: (after - before) / 1000 / result.requests };
}

async function warm(app, path, headers, seconds, connections) {
  if (seconds > 0) await load({ port: app.port, path, headers, seconds, connections });
}

/**
 * a. Two processes of each app (one Strapi process can measure a few per cent faster or slower
 * than another of the same code), warmed under autocannon, then single requests interleaved in
 * the fixed order plain 1, plugin 1, plain 2, plugin 2 (so plain and plugin requests always follow
 * one of the other side). Each app serves one request at a time, so its throughput is 1 / its mean
 * response time; the ratio is plain mean / plugin mean. The two plain processes, compared the
 * same way, show the noise floor.
 */
async function throughputSection(plains, plugins, settings, log) {
  const { requests, warmup, connections } = settings;
  const apps = [plains[0], plugins[0], plains[1], plugins[1]];
  for (let elapsed = 0; elapsed < warmup; elapsed += 1) {
    for (const app of apps) await load({ port: app.port, path: LIST, seconds: 1, connections });
  }
  log(`  a. warmed ${warmup} s per process; ${requests} interleaved requests per process…`);
  const cpuBefore = await Promise.all(apps.map((app) => app.call('cpuUsage')));
  const times = await interleaved({ targets: apps.map((app) => ({ port: app.port, path: LIST })), rounds: requests });
  const cpuAfter = await Promise.all(apps.map((app) => app.call('cpuUsage')));
  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const meanOf = (group) => mean(group.flatMap((app) => times[apps.indexOf(app)]));
  const cpuOf = (group) =>
    group.reduce((sum, app) => sum + (cpuAfter[apps.indexOf(app)] - cpuBefore[apps.indexOf(app)]), 0) / 1000 / (requests * group.length);
  // The same ratio over blocks of 500 rounds: how steady it held.
  const blocks = [];
  for (let start = 0; start < requests; start += 500) {
    const block = (group) => mean(group.flatMap((app) => times[apps.indexOf(app)].slice(start, start + 500)));
    blocks.push(round(block(plains) / block(plugins), 3));
  }
  const ratioValue = meanOf(plains) / meanOf(plugins);
  const single = (app) => mean(times[apps.indexOf(app)]);
  return {
    route: `GET ${LIST} (25 of ${ENTRIES} entries, no token)`,
    database: 'sqlite',
    settings,
    processes: { plain: plains.length, plugin: plugins.length },
    plainMeanMs: round(meanOf(plains), 3),
    pluginMeanMs: round(meanOf(plugins), 3),
    plainRps: round(1000 / meanOf(plains), 1),
    pluginRps: round(1000 / meanOf(plugins), 1),
    ratio: round(ratioValue, 3),
    blockRatios: blocks,
    // Same code, two processes: how far apart identical apps measure here.
    controls: {
      plain: round(single(plains[0]) / single(plains[1]), 3),
      plugin: round(single(plugins[0]) / single(plugins[1]), 3),
    },
    cpuMsPerRequest: { plain: round(cpuOf(plains), 3), plugin: round(cpuOf(plugins), 3) },
    cpuRatio: round(cpuOf(plugins) / cpuOf(plains), 3),
    target: 0.98,
    met: ratioValue >= 0.98,
  };
}

/**
 * b. Every cell (level × token / no token, plus plain Strapi for reference) once per round, the
 * 0 and 5,000 cells next to each other, the order reversed every other round. A level's ratio is
 * the median over rounds of (its p50 / the 0-variant p50 of the same round).
 */
async function latencySection(database, plain, levelApps, tokens, settings, log) {
  const { rounds, seconds, warmup, connections } = settings;
  const cells = [];
  const cell = (level, mode, app) => {
    const headers = mode === 'token' ? { [TOKEN_HEADER]: tokens[level] } : {};
    cells.push({ level, mode, app, headers, results: [] });
  };
  for (const mode of ['no token', 'token']) for (const level of [0, 5000]) cell(level, mode, levelApps[level]);
  for (const level of LEVELS.filter((level) => level !== 0 && level !== 5000)) {
    for (const mode of ['no token', 'token']) cell(level, mode, levelApps[level]);
  }
  if (plain) cell('plain', 'no token', plain);
  for (const entry of cells) {
    await warm(entry.app, LIST, entry.headers, warmup, connections);
    entry.probe = await entry.app.call('probe', { path: LIST, headers: entry.headers });
  }
  for (let round_ = 0; round_ < rounds; round_++) {
    const order = round_ % 2 === 0 ? cells : [...cells].reverse();
    for (const entry of order) {
      entry.results.push(await measure(entry.app, { path: LIST, headers: entry.headers, seconds, connections }));
    }
    if ((round_ + 1) % 4 === 0 || round_ + 1 === rounds) log(`  b. ${database}: round ${round_ + 1}/${rounds} done`);
  }
  const find = (level, mode) => cells.find((entry) => entry.level === level && entry.mode === mode);
  const pairedRatio = (entry, baseline, metric) =>
    round(median(entry.results.map((result, index) => metric(result) / metric(baseline.results[index]))), 3);
  const summary = (entry, baseline) => ({
    p50Ms: round(median(entry.results.map((r) => r.latencyMs.p50)), 3),
    p90Ms: round(median(entry.results.map((r) => r.latencyMs.p90)), 3),
    rps: round(median(entry.results.map((r) => r.rps)), 1),
    cpuMsPerRequest: round(median(entry.results.map((r) => r.cpuMsPerRequest)), 3),
    ratioVs0: pairedRatio(entry, baseline, (r) => r.latencyMs.p50),
    cpuRatioVs0: pairedRatio(entry, baseline, (r) => r.cpuMsPerRequest),
    roundP50Ms: entry.results.map((r) => round(r.latencyMs.p50, 3)),
    servedOnPage: entry.probe.kinds.targeted ?? 0,
    entriesOnPage: entry.probe.entries,
    total: entry.probe.total,
  });
  const levels = LEVELS.map((level) => ({
    variants: level,
    'no token': summary(find(level, 'no token'), find(0, 'no token')),
    token: summary(find(level, 'token'), find(0, 'token')),
  }));
  const top = levels.find((row) => row.variants === 5000);
  const ratios = { 'no token': top['no token'].ratioVs0, token: top.token.ratioVs0 };
  return {
    database,
    route: `GET ${LIST} (25 of ${ENTRIES} entries)`,
    settings,
    plain: plain ? summary(find('plain', 'no token'), find(0, 'no token')) : null,
    levels,
    ratio5000vs0: ratios,
    cpuRatio5000vs0: { 'no token': top['no token'].cpuRatioVs0, token: top.token.cpuRatioVs0 },
    target: 1.15,
    met: Object.values(ratios).every((value) => value <= 1.15),
  };
}

const TRANSACTION = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;
const dataQueries = (statements) => statements.filter((sql) => !TRANSACTION.test(sql.trim())).length;

/** c. SQL statements of one request of each kind, the plugin app against the plain one. */
async function querySection(database, plain, empty, full, seeds, tokens) {
  const withToken = { [TOKEN_HEADER]: tokens[5000] };
  const kinds = [
    { kind: 'list, type with no variants', plugin: [empty, { path: LIST }], plain: { path: LIST } },
    { kind: 'list, variants exist, none served (no token)', plugin: [full, { path: LIST }], plain: { path: LIST } },
    { kind: 'list serving variants (token)', plugin: [full, { path: LIST, headers: withToken }], plain: { path: LIST } },
    {
      kind: 'findOne serving a variant (token)',
      plugin: [full, { path: `${LIST}/${seeds.full.outdoorBase}`, headers: withToken }],
      plain: { path: `${LIST}/${seeds.plain.plainBase}` },
    },
    {
      kind: 'findOne, variant not served (no token)',
      plugin: [full, { path: `${LIST}/${seeds.full.outdoorBase}` }],
      plain: { path: `${LIST}/${seeds.plain.plainBase}` },
    },
  ];
  const rows = [];
  for (const { kind, plugin: [app, request], plain: plainRequest } of kinds) {
    const mine = await app.call('queries', request);
    const theirs = await plain.call('queries', plainRequest);
    rows.push(queryRow(kind, theirs, mine));
  }
  rows.push(queryRow('count (document service, content API)', await plain.call('documentCount'), await full.call('documentCount')));
  return { database, rows };
}

function queryRow(kind, plain, plugin) {
  return {
    kind,
    plainStatements: plain.queries,
    pluginStatements: plugin.queries,
    plainDataQueries: dataQueries(plain.statements),
    pluginDataQueries: dataQueries(plugin.statements),
    extraDataQueries: dataQueries(plugin.statements) - dataQueries(plain.statements),
    servedOnPage: plugin.kinds?.targeted ?? 0,
    // Each statement with its ms from knex 'query' to 'query-response' (one request: indicative only).
    pluginSql: plugin.timings.map(({ sql, ms }) => ({ sql, ms: round(ms, 3) })),
    plainSql: plain.timings.map(({ sql, ms }) => ({ sql, ms: round(ms, 3) })),
  };
}

/** Boots plain + one app per variant level on `database`, seeds them, runs the sections asked for. */
async function runDatabase(database, sections, settings, log) {
  const throughput = sections.has('a') && database === 'sqlite';
  // a needs plain + no variants; b every level (and plain, for reference); c plain, none and 5,000.
  const levels = LEVELS.filter((level) => sections.has('b') || level === 0 || (sections.has('c') && level === 5000));
  const needPlain = throughput || sections.has('b') || sections.has('c');
  const specs = [
    ...(needPlain ? [{ name: `${database}-plain`, plugin: false, client: database }] : []),
    ...levels.map((level) => ({ name: `${database}-v${level}`, plugin: true, client: database })),
    // a: a second process of each side.
    ...(throughput
      ? [
          { name: `${database}-plain-2`, plugin: false, client: database },
          { name: `${database}-v0-2`, plugin: true, client: database },
        ]
      : []),
  ];
  const started = Date.now();
  const apps = await startApps(specs);
  log(`  ${database}: ${specs.length} apps booted in ${round((Date.now() - started) / 1000, 1)} s`);
  const plain = needPlain ? apps[0] : null;
  const levelApps = Object.fromEntries(levels.map((level, index) => [level, apps[index + (needPlain ? 1 : 0)]]));
  const [secondPlain, secondEmpty] = throughput ? apps.slice(-2) : [];
  try {
    const seeded = Date.now();
    const seeds = {};
    await Promise.all([
      plain && plain.call('seed', { entries: ENTRIES, variants: 0 }).then((seed) => (seeds.plain = seed)),
      ...levels.map((level) => levelApps[level].call('seed', { entries: ENTRIES, variants: level }).then((seed) => (seeds[level] = seed))),
      ...(throughput ? [secondPlain, secondEmpty].map((app) => app.call('seed', { entries: ENTRIES, variants: 0 })) : []),
    ]);
    log(`  ${database}: seeded in ${round((Date.now() - seeded) / 1000, 1)} s`);
    const tokens = {};
    for (const level of levels) tokens[level] = await levelApps[level].call('token');

    const out = {
      seed: Object.fromEntries(Object.entries(seeds).map(([key, seed]) => [key, { rows: seed.rows, ms: seed.seedMs }])),
    };
    if (throughput) {
      out.throughput = await throughputSection([plain, secondPlain], [levelApps[0], secondEmpty], settings.throughput, log);
      // Their part is done: the latency cells run with fewer processes around.
      await Promise.all([secondPlain, secondEmpty].map(stopApp));
    }
    if (sections.has('b')) out.latency = await latencySection(database, plain, levelApps, tokens, settings.latency, log);
    if (sections.has('c')) {
      out.queries = await querySection(database, plain, levelApps[0], levelApps[5000], { plain: seeds.plain, full: seeds[5000] }, tokens);
    }
    return out;
  } finally {
    await Promise.all(apps.map(stopApp));
  }
}

async function run({ quick = false, sections = new Set(['a', 'b', 'c']), databases = ['sqlite', 'postgres'], log = console.log } = {}) {
  const settings = quick ? QUICK : FULL;
  const result = { entries: ENTRIES, levels: LEVELS, pluginLoadedFrom: pluginPath(), databases: {} };
  try {
    for (const database of databases) {
      if (database !== 'sqlite' && !sections.has('b') && !sections.has('c')) continue;
      if (database === 'postgres') {
        try {
          result.postgresVersion = await pgServerVersion();
        } catch (error) {
          result.databases.postgres = { skipped: `PostgreSQL at 127.0.0.1:5432 unreachable: ${error.message}` };
          log(`  postgres skipped: ${error.message}`);
          continue;
        }
      }
      result.databases[database] = await runDatabase(database, sections, settings, log);
    }
  } finally {
    await cleanup();
  }
  return result;
}

module.exports = { run, LEVELS, ENTRIES };

if (require.main === module) {
  const { parseArgs, printDelivery } = require('./run');
  const options = parseArgs(process.argv.slice(2));
  cleanupOnSignals();
  run({ ...options, sections: new Set([...options.sections].filter((s) => s !== 'd')) }).then(
    (result) => console.log(printDelivery(result)),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    }
  );
}
