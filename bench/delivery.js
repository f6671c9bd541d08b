'use strict';
/**
 * Delivery costs over real HTTP, each Strapi app in its own child process on 127.0.0.1:
 *  a. plain Strapi vs plugin installed (type enabled, no variants): throughput on GET /api/articles,
 *     two processes of each, single requests interleaved between them;
 *  b. a list of 25 of 5,000 entries with 0 / 100 / 1,000 / 5,000 live variants: median latency,
 *     one process per database set to each level in turn,
 *     with and without a consent token, on SQLite and PostgreSQL;
 *  c. SQL statements per request kind, plugin vs plain, counted from knex's 'query' event.
 * The plugin is loaded from its TypeScript sources (tests/fixtures/plugin-source, esbuild-register).
 * BENCH_PLUGIN_PATH=. loads the built dist instead (run `npm run build` first).
 * Usage: node bench/delivery.js [--quick] [--sections=a,b,c] [--db=sqlite,postgres]
 * (BENCH_A_REQUESTS and BENCH_A_WARMUP shorten or lengthen section a.)
 */
const { startApps, stopApp, cleanup, cleanupOnSignals, pgServerVersion, pluginPath } = require('./lib/apps');
const { warmUp, interleaved } = require('./lib/load');
const { mean, median, quantile, round } = require('./lib/stats');

const ENTRIES = 5000;
const LEVELS = [0, 100, 1000, 5000];
const LIST = '/api/articles';
const TOKEN_HEADER = 'x-consent-token';

// Load from other processes and the host comes in bursts of seconds, a fresh Strapi process keeps
// getting faster for a minute, and one process can run a few per cent faster than another of the
// same code for its whole life: (a) uses five processes a side, warmed long, and (b) crosses two
// processes over; both interleave single requests over the apps, so every burst falls on all of them.
const FULL = {
  throughput: { requests: +(process.env.BENCH_A_REQUESTS || 2000), warmup: +(process.env.BENCH_A_WARMUP || 15), connections: 10, processes: 5 },
  latency: { rounds: 4, requests: 100, warmup: 20 },
};
const QUICK = {
  throughput: { requests: 300, warmup: 2, connections: 10, processes: 2 },
  latency: { rounds: 1, requests: 20, warmup: 5 },
};

/**
 * a. Several processes of each app, warmed under autocannon, then single requests interleaved in
 * the fixed order plain 1, plugin 1, plain 2, plugin 2, … (so plain and plugin requests always
 * follow one of the other side). Each app serves one request at a time, so its throughput is 1 /
 * its mean response time; the ratio is plain mean / plugin mean over all processes of a side. How
 * far each process sits from its side's mean shows the noise floor. `options` measure another route
 * the same way (section e).
 */
async function throughputSection(plains, plugins, settings, log, { path = LIST, headers = {}, route = `GET ${LIST} (25 of ${ENTRIES} entries, no token)`, tag = 'a' } = {}) {
  const { requests, warmup, connections } = settings;
  const apps = plains.flatMap((plain, index) => [plain, plugins[index]]);
  await warmUp(apps, { path, headers, seconds: warmup, connections });
  log(`  ${tag}. warmed ${warmup} s per process; ${requests} interleaved requests per process…`);
  const cpuBefore = await Promise.all(apps.map((app) => app.call('cpuUsage')));
  const times = await interleaved({ targets: apps.map((app) => ({ port: app.port, path, headers })), rounds: requests });
  const cpuAfter = await Promise.all(apps.map((app) => app.call('cpuUsage')));
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
  const quantileOf = (group, q) => quantile(group.flatMap((app) => times[apps.indexOf(app)]), q);
  // Each process's throughput against its side's: identical code, so only noise sets these apart.
  const spread = (group) => group.map((app) => round(meanOf(group) / meanOf([app]), 3));
  return {
    route,
    database: 'sqlite',
    settings,
    processes: { plain: plains.length, plugin: plugins.length },
    plainMeanMs: round(meanOf(plains), 3),
    pluginMeanMs: round(meanOf(plugins), 3),
    plainRps: round(1000 / meanOf(plains), 1),
    pluginRps: round(1000 / meanOf(plugins), 1),
    ratio: round(ratioValue, 3),
    p50Ms: { plain: round(quantileOf(plains, 0.5), 3), plugin: round(quantileOf(plugins, 0.5), 3) },
    p90Ms: { plain: round(quantileOf(plains, 0.9), 3), plugin: round(quantileOf(plugins, 0.9), 3) },
    medianRatio: round(quantileOf(plains, 0.5) / quantileOf(plugins, 0.5), 3),
    blockRatios: blocks,
    processSpread: { plain: spread(plains), plugin: spread(plugins) },
    cpuMsPerRequest: { plain: round(cpuOf(plains), 3), plugin: round(cpuOf(plugins), 3) },
    cpuRatio: round(cpuOf(plugins) / cpuOf(plains), 3),
    target: 0.98,
    met: ratioValue >= 0.98,
  };
}

/**
 * b. Two plugin processes per database hold the same 5,000 bases. Each level L is measured against
 * 0 twice, crossed over: process 1 at 0 with process 2 at L, then process 1 at L with process 2 at 0
 * (a level is set by replacing the variant rows and records and rebuilding the index). In each
 * phase single requests go round-robin over both processes, with and without a token, and plain
 * Strapi for reference, so a slow second of the machine falls on every cell alike; crossing over
 * cancels what one process runs faster than another of the same code for its whole life. A
 * level's ratio is the median over rounds of the geometric mean of its two phases' p50 / the 0 p50.
 * `options` measure another route the same way (section e: `path`, `levels`, `route`, `tag`, and the
 * `relation` whose entries count as served), or another level (section f: `command`, 'setExperiments').
 */
async function latencySection(database, plain, pair, token, settings, log, options = {}) {
  const { path = LIST, levels: variantLevels = LEVELS, route = `GET ${LIST} (25 of ${ENTRIES} entries)`, tag = 'b', relation = null } = options;
  const { command = 'setVariants' } = options;
  const { rounds, requests, warmup } = settings;
  const modes = { 'no token': {}, token: { [TOKEN_HEADER]: token } };
  const others = variantLevels.filter((level) => level !== 0);
  const levelOf = new Map(pair.map((app) => [app, null]));
  const switches = [];
  const setLevel = async (app, level) => {
    if (levelOf.get(app) === level) return;
    switches.push((await app.call(command, { variants: level, experiments: level })).ms);
    levelOf.set(app, level);
  };
  const p50s = new Map(variantLevels.map((level) => [level, { 'no token': [], token: [] }]));
  const ratios = new Map(others.map((level) => [level, { 'no token': [], token: [], cpu: [] }]));
  // Each round's two crossed phases, apart: how far they disagree is the noise floor of that round's ratio.
  const phaseRatios = new Map(others.map((level) => [level, { 'no token': [], token: [] }]));
  const plainRatios = [];
  const plainP50s = [];
  const probes = new Map();

  for (let round_ = 0; round_ < rounds; round_++) {
    for (const level of round_ % 2 === 0 ? others : [...others].reverse()) {
      const phases = [];
      for (const [atZero, atLevel] of [pair, [...pair].reverse()]) {
        await Promise.all([setLevel(atZero, 0), setLevel(atLevel, level)]);
        const cells = [];
        for (const [mode, headers] of Object.entries(modes)) {
          cells.push({ app: atZero, level: 0, mode, headers }, { app: atLevel, level, mode, headers });
        }
        if (plain) cells.push({ app: plain, level: 'plain', mode: 'no token', headers: {} });
        for (const cell of cells) {
          const key = `${cell.level} ${cell.mode}`;
          if (!probes.has(key)) probes.set(key, await cell.app.call('probe', { path, headers: cell.headers, relation }));
        }
        const targets = cells.map((cell) => ({ port: cell.app.port, path, headers: cell.headers }));
        await interleaved({ targets, rounds: warmup });
        const cpuBefore = await Promise.all(pair.map((app) => app.call('cpuUsage')));
        const times = await interleaved({ targets, rounds: requests });
        const cpuAfter = await Promise.all(pair.map((app) => app.call('cpuUsage')));
        const cpu = new Map(pair.map((app, index) => [app, cpuAfter[index] - cpuBefore[index]]));
        const p50 = (level, mode) => median(times[cells.findIndex((cell) => cell.level === level && cell.mode === mode)]);
        phases.push({ p50, cpuRatio: cpu.get(atLevel) / cpu.get(atZero) });
      }
      const geometric = (values) => Math.sqrt(values[0] * values[1]);
      for (const mode of Object.keys(modes)) {
        const crossed = phases.map((phase) => phase.p50(level, mode) / phase.p50(0, mode));
        ratios.get(level)[mode].push(geometric(crossed));
        phaseRatios.get(level)[mode].push(crossed.map((value) => round(value, 3)));
        for (const phase of phases) {
          p50s.get(level)[mode].push(phase.p50(level, mode));
          p50s.get(0)[mode].push(phase.p50(0, mode));
        }
      }
      ratios.get(level).cpu.push(geometric(phases.map((phase) => phase.cpuRatio)));
      if (plain) {
        for (const phase of phases) {
          plainP50s.push(phase.p50('plain', 'no token'));
          plainRatios.push(phase.p50('plain', 'no token') / phase.p50(0, 'no token'));
        }
      }
    }
    log(`  ${tag}. ${database}: round ${round_ + 1}/${rounds} done`);
  }

  const cell = (level, mode) => {
    const probe = probes.get(`${level} ${mode}`);
    // On a populated route, what is served is counted among the related entries.
    const counted = relation ? probe.related : probe;
    return {
      p50Ms: round(median(p50s.get(level)[mode]), 3),
      ratioVs0: level === 0 ? 1 : round(median(ratios.get(level)[mode]), 3),
      roundRatios: level === 0 ? [] : ratios.get(level)[mode].map((value) => round(value, 3)),
      phaseRatios: level === 0 ? [] : phaseRatios.get(level)[mode],
      servedOnPage: counted.kinds.targeted ?? 0,
      entriesOnPage: counted.entries,
      total: probe.total,
    };
  };
  const levels = variantLevels.map((level) => ({
    variants: level,
    'no token': cell(level, 'no token'),
    token: cell(level, 'token'),
    cpuRatioVs0: level === 0 ? 1 : round(median(ratios.get(level).cpu), 3),
  }));
  const top = levels.at(-1);
  const topRatios = { 'no token': top['no token'].ratioVs0, token: top.token.ratioVs0 };
  return {
    database,
    route,
    settings,
    processes: pair.length,
    levelSwitchMs: round(median(switches), 0),
    plain: plain ? { p50Ms: round(median(plainP50s), 3), ratioVs0: round(median(plainRatios), 3) } : null,
    levels,
    ratio5000vs0: topRatios,
    cpuRatio5000vs0: top.cpuRatioVs0,
    target: 1.15,
    met: Object.values(topRatios).every((value) => value <= 1.15),
  };
}

const TRANSACTION = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;
const dataQueries = (statements) => statements.filter((sql) => !TRANSACTION.test(sql.trim())).length;

/** c. SQL statements of one request of each kind, the plugin app against the plain one. */
async function querySection(database, plain, app, plainSeed, token) {
  const withToken = { [TOKEN_HEADER]: token };
  const none = await app.call('setVariants', { variants: 0 });
  const rows = [];
  const row = async (kind, request, plainRequest) =>
    rows.push(queryRow(kind, await plain.call('queries', plainRequest), await app.call('queries', request)));
  await row('list, type with no variants', { path: LIST }, { path: LIST });
  const full = await app.call('setVariants', { variants: 5000 });
  await row('list, variants exist, none served (no token)', { path: LIST }, { path: LIST });
  await row('list serving variants (token)', { path: LIST, headers: withToken }, { path: LIST });
  await row('findOne serving a variant (token)', { path: `${LIST}/${full.outdoorBase}`, headers: withToken }, { path: `${LIST}/${plainSeed.plainBase}` });
  await row('findOne, variant not served (no token)', { path: `${LIST}/${full.outdoorBase}` }, { path: `${LIST}/${plainSeed.plainBase}` });
  rows.push(queryRow('count (document service, content API)', await plain.call('documentCount'), await app.call('documentCount')));
  return { database, rows, levels: { none: none.variants, full: full.variants } };
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

/**
 * Boots plain Strapi and the plugin on `database`: for a several processes of each (SQLite), for b
 * and c one plain and two plugin processes. Seeds them, runs the sections asked for.
 */
async function runDatabase(database, sections, settings, log) {
  const throughput = sections.has('a') && database === 'sqlite';
  const each = throughput ? settings.throughput.processes : 1;
  const plainSpecs = Array.from({ length: each }, (_, index) => ({ name: `${database}-plain-${index + 1}`, plugin: false, client: database }));
  const pluginSpecs = Array.from({ length: Math.max(each, 2) }, (_, index) => ({ name: `${database}-plugin-${index + 1}`, plugin: true, client: database }));
  const started = Date.now();
  const apps = await startApps([...plainSpecs, ...pluginSpecs]);
  log(`  ${database}: ${apps.length} apps booted in ${round((Date.now() - started) / 1000, 1)} s`);
  const plains = apps.slice(0, plainSpecs.length);
  const plugins = apps.slice(plainSpecs.length);
  try {
    const seeded = Date.now();
    const seeds = await Promise.all(apps.map((app) => app.call('seed', { entries: ENTRIES, variants: 0 })));
    log(`  ${database}: seeded in ${round((Date.now() - seeded) / 1000, 1)} s`);
    const token = await plugins[0].call('token');

    const out = { seed: { plain: { rows: seeds[0].rows, ms: seeds[0].seedMs }, plugin: { rows: seeds.at(-1).rows, ms: seeds.at(-1).seedMs } } };
    if (throughput) {
      out.throughput = await throughputSection(plains, plugins.slice(0, each), settings.throughput, log);
      // Their part is done: the latency cells run with fewer processes around.
      await Promise.all([...plains.slice(1), ...plugins.slice(2)].map(stopApp));
    }
    if (sections.has('b')) out.latency = await latencySection(database, plains[0], plugins.slice(0, 2), token, settings.latency, log);
    if (sections.has('c')) out.queries = await querySection(database, plains[0], plugins[0], seeds[0], token);
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

module.exports = { run, LEVELS, ENTRIES, TOKEN_HEADER, throughputSection, latencySection, queryRow };

if (require.main === module) {
  const { parseArgs, printDelivery } = require('./run');
  const options = parseArgs(process.argv.slice(2));
  cleanupOnSignals();
  run({ ...options, sections: new Set([...options.sections].filter((s) => ['a', 'b', 'c'].includes(s))) }).then(
    (result) => console.log(printDelivery(result)),
    (error) => {
      console.error(error);
      process.exitCode = 1;
    }
  );
}
