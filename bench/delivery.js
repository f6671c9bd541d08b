'use strict';
/**
 * Delivery costs over real HTTP, each Strapi app in its own child process on 127.0.0.1:
 *  a. plain Strapi vs plugin installed (type enabled, no variants): throughput on GET /api/articles;
 *  b. a list of 25 of 5,000 entries with 0 / 100 / 1,000 / 5,000 live variants: median latency,
 *     with and without a consent token, on SQLite and PostgreSQL;
 *  c. SQL statements per request kind, plugin vs plain, counted from knex's 'query' event.
 * The plugin is loaded from its TypeScript sources (tests/fixtures/plugin-source, esbuild-register).
 * Usage: node bench/delivery.js [--quick] [--sections=a,b,c] [--db=sqlite,postgres]
 */
const { startApps, stopApp, cleanup, cleanupOnSignals, pgServerVersion, pluginPath } = require('./lib/apps');
const { load } = require('./lib/load');
const { median, round } = require('./lib/stats');

const ENTRIES = 5000;
const LEVELS = [0, 100, 1000, 5000];
const LIST = '/api/articles';
const TOKEN_HEADER = 'x-consent-token';

// Many short rounds rather than a few long ones: load from other processes comes in bursts, and
// a ratio taken within one round (the two cells seconds apart) cancels most of it.
const FULL = {
  throughput: { rounds: 8, seconds: 2, warmup: 2, connections: 10 },
  latency: { rounds: 12, seconds: 0.6, warmup: 1, connections: 1 },
};
const QUICK = {
  throughput: { rounds: 2, seconds: 1, warmup: 1, connections: 10 },
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
 * a. Alternating rounds (ABBA order) so drift hits both apps alike. The ratio is the median of
 * the per-round ratios (each from two runs seconds apart); the medians of req/s are shown too.
 */
async function throughputSection(plain, plugin, settings, log) {
  const { rounds, seconds, warmup, connections } = settings;
  for (const app of [plain, plugin]) await warm(app, LIST, {}, warmup, connections);
  const samples = { plain: [], plugin: [] };
  const cpu = { plain: [], plugin: [] };
  for (let round_ = 0; round_ < rounds; round_++) {
    const order = round_ % 2 === 0 ? [plain, plugin] : [plugin, plain];
    for (const app of order) {
      const result = await measure(app, { path: LIST, seconds, connections });
      samples[app === plain ? 'plain' : 'plugin'].push(result.rps);
      cpu[app === plain ? 'plain' : 'plugin'].push(result.cpuMsPerRequest);
      log(`  a. round ${round_ + 1}/${rounds} ${app.name}: ${round(result.rps, 1)} req/s`);
    }
  }
  const plainRps = median(samples.plain);
  const pluginRps = median(samples.plugin);
  const roundRatios = samples.plain.map((value, index) => samples.plugin[index] / value);
  const pairedRatio = median(roundRatios);
  return {
    route: `GET ${LIST} (25 of ${ENTRIES} entries, no token)`,
    database: 'sqlite',
    settings,
    plainRps: round(plainRps, 1),
    pluginRps: round(pluginRps, 1),
    ratio: round(pairedRatio, 3),
    ratioOfMedians: ratio(pluginRps, plainRps),
    roundRatios: roundRatios.map((value) => round(value, 3)),
    cpuMsPerRequest: { plain: round(median(cpu.plain), 3), plugin: round(median(cpu.plugin), 3) },
    cpuRatio: round(median(cpu.plain.map((value, index) => cpu.plugin[index] / value)), 3),
    samples: { plain: samples.plain.map((v) => round(v, 1)), plugin: samples.plugin.map((v) => round(v, 1)) },
    target: 0.98,
    met: pairedRatio >= 0.98,
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
  ];
  const started = Date.now();
  const apps = await startApps(specs);
  log(`  ${database}: ${specs.length} apps booted in ${round((Date.now() - started) / 1000, 1)} s`);
  const plain = needPlain ? apps[0] : null;
  const levelApps = Object.fromEntries(levels.map((level, index) => [level, apps[index + (needPlain ? 1 : 0)]]));
  try {
    const seeded = Date.now();
    const seeds = {};
    await Promise.all([
      plain && plain.call('seed', { entries: ENTRIES, variants: 0 }).then((seed) => (seeds.plain = seed)),
      ...levels.map((level) => levelApps[level].call('seed', { entries: ENTRIES, variants: level }).then((seed) => (seeds[level] = seed))),
    ]);
    log(`  ${database}: seeded in ${round((Date.now() - seeded) / 1000, 1)} s`);
    const tokens = {};
    for (const level of levels) tokens[level] = await levelApps[level].call('token');

    const out = {
      seed: Object.fromEntries(Object.entries(seeds).map(([key, seed]) => [key, { rows: seed.rows, ms: seed.seedMs }])),
    };
    if (throughput) out.throughput = await throughputSection(plain, levelApps[0], settings.throughput, log);
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
