'use strict';
/**
 * `npm run bench`: every performance target of PRODUCT.md in one run, side by side.
 *  a–c  delivery over real HTTP (bench/delivery.js): plain vs plugin throughput, list latency
 *       by number of variants on SQLite and PostgreSQL, SQL statements per request kind;
 *  d    micro-benchmarks: bench/consent.js and bench/rules.js (when present);
 *  e    related entries (bench/related.js): a homepage reaching 20 articles through a relation,
 *       5,000 live variants vs 0 on SQLite and PostgreSQL, plain vs plugin throughput and SQL;
 *  f    experiments (bench/experiments.js): a list of 25 with a running experiment on every base vs
 *       none, enrolled and not, on SQLite and PostgreSQL; SQL of enrolled requests, writes counted.
 * Prints one table per section and writes bench/results/latest.json.
 * Usage: node bench/run.js [--quick] [--sections=a,b,c,d,e,f] [--db=sqlite,postgres]
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { table } = require('./lib/table');
const { round } = require('./lib/stats');

const RESULTS = path.join(__dirname, 'results', 'latest.json');

function parseArgs(argv) {
  const options = { quick: false, sections: new Set(['a', 'b', 'c', 'd', 'e', 'f']), databases: ['sqlite', 'postgres'] };
  for (const arg of argv) {
    if (arg === '--quick') options.quick = true;
    else if (arg.startsWith('--sections=')) options.sections = new Set(arg.slice(11).split(',').map((s) => s.trim()));
    else if (arg.startsWith('--db=')) options.databases = arg.slice(5).split(',').map((s) => s.trim());
    else throw new Error(`unknown argument ${arg}; use --quick, --sections=a,b,c,d,e,f, --db=sqlite,postgres`);
  }
  return options;
}

const check = (met) => (met ? 'met' : 'MISSED');

/** Latency rows of a crossed-over section: plain Strapi, then each level; `served` adds the token's served column. */
function latencyRows(b, served = null) {
  const fixed = (value) => value.toFixed(3);
  const extra = (row) => (served ? [served(row)] : []);
  const plain = b.plain ? [['plain Strapi', fixed(b.plain.p50Ms), fixed(b.plain.ratioVs0), '', '', ...(served ? [''] : []), '']] : [];
  return [
    ...plain,
    ...b.levels.map((row) => [
      row.variants,
      fixed(row['no token'].p50Ms),
      fixed(row['no token'].ratioVs0),
      fixed(row.token.p50Ms),
      fixed(row.token.ratioVs0),
      ...extra(row),
      fixed(row.cpuRatioVs0),
    ]),
  ];
}

/** A throughput cell (bench/delivery.js `throughputSection`): its table, ratios and noise floor. */
function throughputLines(a, heading, pluginLabel) {
  const s = a.settings;
  return [
    heading,
    `   ${a.processes.plain} processes each, warmed ${s.warmup} s each (autocannon, ${s.connections} connections), then ${s.requests} single requests`,
    '   per process interleaved plain 1, plugin 1, plain 2, plugin 2, …; throughput of one request at a time = 1 / mean response time',
    table(
      ['app', 'mean ms', 'p50 ms', 'p90 ms', 'req/s', 'server CPU ms/req'],
      [
        ['plain Strapi (plugin disabled)', a.plainMeanMs, a.p50Ms.plain, a.p90Ms.plain, a.plainRps, a.cpuMsPerRequest.plain],
        [pluginLabel, a.pluginMeanMs, a.p50Ms.plugin, a.p90Ms.plugin, a.pluginRps, a.cpuMsPerRequest.plugin],
      ]
    ),
    `   throughput plugin / plain: ${a.ratio} (per 500 rounds: ${a.blockRatios.join(', ')}); target ≥ ${a.target}: ${check(a.met)}`,
    `   the same ratio at the median response time, p50 plain / p50 plugin: ${a.medianRatio} (apart from the mean's: the difference is in the body or in the tail)`,
    `   noise floor, each process's throughput / its side's: plain ${a.processSpread.plain.join(', ')}; plugin ${a.processSpread.plugin.join(', ')}`,
    `   server CPU per request plugin / plain: ${a.cpuRatio}`,
  ];
}

function printDelivery(delivery) {
  const out = [];
  const sqlite = delivery.databases.sqlite;
  if (sqlite?.throughput) {
    const a = sqlite.throughput;
    out.push(...throughputLines(a, `\na. Plain Strapi vs plugin installed (type enabled, no variants) — ${a.route}, SQLite,`, 'plugin, no variants'));
  }
  for (const [database, result] of Object.entries(delivery.databases)) {
    if (!result?.latency) continue;
    const b = result.latency;
    const s = b.settings;
    const fixed = (value) => value.toFixed(3);
    out.push(
      `\nb. ${b.route} by live variants on the type — ${database}${database === 'postgres' ? ` ${delivery.postgresVersion}` : ''},`,
      `   ${b.processes} plugin processes crossed over (one at 0 while the other is at the level, then swapped; a level is set by`,
      `   replacing the variant rows and records and rebuilding the index: median ${b.levelSwitchMs} ms); ${s.rounds} rounds, each phase`,
      `   ${s.requests} single requests per cell round-robin after ${s.warmup}; p50 latency (ms, median over phases);`,
      `   × = median over rounds of the geometric mean of both phases' p50 / 0-variant p50; CPU × the same for CPU per request`,
      table(
        ['variants', 'p50 no token', '×', 'p50 token', '×', 'served/25 (token)', 'CPU ×'],
        [
          ...latencyRows(b, (row) => `${row.token.servedOnPage}/${row.token.entriesOnPage}`),
        ]
      ),
      `   5,000 vs 0: no token ${b.ratio5000vs0['no token']}×, token ${b.ratio5000vs0.token}×; target ≤ ${b.target}×: ${check(b.met)}` +
        `  (CPU: ${b.cpuRatio5000vs0}×${database === 'postgres' ? ', PostgreSQL server excluded' : ''})`
    );
  }
  for (const [database, result] of Object.entries(delivery.databases)) {
    if (!result?.queries) continue;
    out.push(
      `\nc. SQL per request, ${database} (knex 'query' events; data queries, then all statements incl. BEGIN/COMMIT)`,
      table(
        ['request kind', 'plain', 'plugin', 'extra data queries', 'served'],
        result.queries.rows.map((row) => [
          row.kind,
          `${row.plainDataQueries} (${row.plainStatements})`,
          `${row.pluginDataQueries} (${row.pluginStatements})`,
          row.extraDataQueries >= 0 ? `+${row.extraDataQueries}` : String(row.extraDataQueries),
          row.servedOnPage,
        ])
      )
    );
  }
  for (const [database, result] of Object.entries(delivery.databases)) {
    if (result?.skipped) out.push(`\n${database}: skipped — ${result.skipped}`);
  }
  return out.join('\n');
}

/** `1.02/0.98, …`: a round's ratio in each crossed phase; identical code would give 1/1. */
const phasePairs = (cell) => cell.phaseRatios.map((pair) => pair.join('/')).join(', ');

function printRelated(related) {
  const out = [];
  const fixed = (value) => value.toFixed(3);
  const sqlite = related.databases.sqlite;
  for (const a of [sqlite?.throughputNoVariants, sqlite?.throughput]) {
    if (!a) continue;
    out.push(...throughputLines(a, `\ne. Related entries: plain Strapi vs plugin installed, nothing served — ${a.route}, SQLite,`, 'plugin, nothing served'));
  }
  for (const [database, result] of Object.entries(related.databases)) {
    if (!result?.latency) continue;
    const b = result.latency;
    const s = b.settings;
    out.push(
      `\ne. ${b.route} by live variants on the article type — ${database}${database === 'postgres' ? ` ${related.postgresVersion}` : ''},`,
      `   ${b.processes} plugin processes crossed over (one at 0 while the other is at ${related.levels.at(-1)}, then swapped: level set in median ${b.levelSwitchMs} ms);`,
      `   ${s.rounds} rounds, each phase ${s.requests} single requests per cell round-robin after ${s.warmup}; p50 latency (ms, median over phases);`,
      '   × = median over rounds of the geometric mean of both phases\' p50 / 0-variant p50 (plain Strapi: its p50 / the plugin\'s at 0)',
      table(
        ['variants', 'p50 no token', '×', 'p50 token', '×', `served/${related.highlights} nested (token)`, 'CPU ×'],
        [
          ...latencyRows(b, (row) => `${row.token.servedOnPage}/${row.token.entriesOnPage}`),
        ]
      ),
      `   ${related.levels.at(-1)} vs 0: no token ${b.ratio5000vs0['no token']}×, token ${b.ratio5000vs0.token}×; target ≤ ${b.target}×: ${check(b.met)}`,
      `   noise floor, each round's two crossed phases apart: no token ${phasePairs(b.levels.at(-1)['no token'])}; token ${phasePairs(b.levels.at(-1).token)}`
    );
  }
  for (const [database, result] of Object.entries(related.databases)) {
    if (!result?.queries) continue;
    out.push(
      `\ne. SQL per request, ${related.route}, ${database} (data queries, then all statements incl. BEGIN/COMMIT)`,
      table(
        ['articles', 'plain', 'plugin', 'extra data queries', 'target', `served/${related.highlights} nested`],
        result.queries.rows.map((row) => [
          row.kind,
          `${row.plainDataQueries} (${row.plainStatements})`,
          `${row.pluginDataQueries} (${row.pluginStatements})`,
          row.extraDataQueries >= 0 ? `+${row.extraDataQueries}` : String(row.extraDataQueries),
          `≤ +${row.limit}: ${check(row.met)}`,
          row.nestedServed,
        ])
      )
    );
  }
  for (const [database, result] of Object.entries(related.databases)) {
    if (result?.skipped) out.push(`\ne. ${database}: skipped — ${result.skipped}`);
  }
  return out.join('\n');
}

function printExperiments(experiments) {
  const out = [];
  const fixed = (value) => value.toFixed(3);
  for (const [database, result] of Object.entries(experiments.databases)) {
    if (result?.skipped) {
      out.push(`\nf. ${database}: skipped — ${result.skipped}`);
      continue;
    }
    const b = result.latency;
    const s = b.settings;
    out.push(
      `\nf. Experiments: ${b.route}, a running experiment on every base vs none — ${database}${database === 'postgres' ? ` ${experiments.postgresVersion}` : ''},`,
      `   ${b.processes} plugin processes crossed over (one without experiments while the other runs ${experiments.experiments}, then swapped: set in median ${b.levelSwitchMs} ms);`,
      `   ${s.rounds} rounds, each phase ${s.requests} single requests per cell round-robin after ${s.warmup}; p50 latency (ms, median over phases);`,
      '   token: grants measurement, every entry on the page enrolled and an exposure buffered; no token: not enrolled, the chain without the arms',
      table(
        ['experiments', 'p50 no token', '×', 'p50 token', '×', 'CPU ×'],
        [
          ...latencyRows(b),
        ]
      ),
      `   ${experiments.experiments} vs 0: no token ${b.ratio5000vs0['no token']}×, token ${b.ratio5000vs0.token}×; target ≤ ${b.target}×: ${check(b.met)}`,
      `   noise floor, each round's two crossed phases apart: no token ${phasePairs(b.levels.at(-1)['no token'])}; token ${phasePairs(b.levels.at(-1).token)}`
    );
    const q = result.sql;
    out.push(
      `   SQL of ${q.requests} enrolled requests (${q.enrolledOnPage}/25 enrolled; flush timer held for the window): data queries per request ` +
        `${q.dataQueriesPerRequest.withoutExperiments} without experiments, ${q.dataQueriesPerRequest.withExperiments} with;`,
      `   writes on the request path: ${q.writesOnRequestPath.withExperiments} (without experiments ${q.writesOnRequestPath.withoutExperiments}); ` +
        `outside any request meanwhile (other timers): ${q.writesOutsideRequests.withExperiments} and ${q.writesOutsideRequests.withoutExperiments};`,
      `   ` +
        `${q.bufferedAfter} counter entries buffered, written by one flush in ${q.flush.writes} writes (${q.flush.statements} statements): ${check(q.met)}`,
      ...(q.writeSamples.length > 0 ? [`   writes seen: ${q.writeSamples.join(' | ')}`] : [])
    );
  }
  return out.join('\n');
}

/** Flattens a micro-benchmark's result into rows of `key  value`, for benchmarks whose shape we do not own. */
function flatRows(value, prefix = '') {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [[prefix, Array.isArray(value) ? JSON.stringify(value) : value]];
  return Object.entries(value).flatMap(([key, inner]) => flatRows(inner, prefix ? `${prefix}.${key}` : key));
}

function printMicro(micro) {
  const out = [];
  const consent = micro.consent;
  if (consent?.error) out.push(`\nd. consent: failed — ${consent.error}`);
  else if (consent) {
    out.push(
      '\nd. Consent token (bench/consent.js)',
      table(
        ['measure', 'median', 'target'],
        [
          ['verified-token cache hit', `${consent.tokenCacheHitMedianNs} ns`, `≤ ${consent.targets?.tokenCacheHitNs ?? 1000} ns`],
          ['cache miss, HS256 verify', `${consent.tokenCacheMissHs256MedianUs} µs`, `≤ ${consent.targets?.tokenCacheMissUs ?? 100} µs`],
          ['normalize (hit + TCF + GPC + context)', `${consent.normalizeWithTcfGpcContextMedianNs} ns`, ''],
        ]
      )
    );
  }
  const rules = micro.rules;
  if (rules?.skipped) out.push(`\nd. rules: ${rules.skipped}`);
  else if (rules?.error) out.push(`\nd. rules: failed — ${rules.error}`);
  else if (rules) {
    out.push('\nd. Rule engine and decision hot path (bench/rules.js)', table(['measure', 'value'], flatRows(rules)));
  }
  return out.join('\n');
}

async function micro(name) {
  const file = path.join(__dirname, `${name}.js`);
  if (!fs.existsSync(file)) return { skipped: `bench/${name}.js not present` };
  try {
    const started = Date.now();
    const result = await require(file).run();
    return { ...result, benchSeconds: round((Date.now() - started) / 1000, 1) };
  } catch (error) {
    return { error: String(error?.stack ?? error) };
  }
}

function machine() {
  const cpus = os.cpus();
  let commit = null;
  let dirty = null;
  try {
    const root = path.resolve(__dirname, '..');
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    dirty = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim().length > 0;
  } catch {
    // not a git checkout
  }
  let sqlite = null;
  try {
    const Database = require('better-sqlite3');
    const db = new Database(':memory:');
    sqlite = db.prepare('select sqlite_version()').pluck().get();
    db.close();
  } catch {
    // reported as null
  }
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? null,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    loadAverageAtStart: os.loadavg().map((value) => round(value, 2)),
    strapi: require('@strapi/strapi/package.json').version,
    sqlite,
    commit,
    dirty,
  };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  require('./lib/apps').cleanupOnSignals();

  const report = { machine: machine(), options: { quick: options.quick, sections: [...options.sections], databases: options.databases } };
  console.log(`personalization bench — node ${report.machine.node}, ${report.machine.cpus} × ${report.machine.cpuModel}, Strapi ${report.machine.strapi}`);
  warnIfBusy('at start');

  const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`.padStart(5);
  const log = (line) => console.log(`${elapsed()} ${line}`);
  const deliverySections = new Set([...options.sections].filter((section) => ['a', 'b', 'c'].includes(section)));
  if (deliverySections.size > 0) {
    const { run } = require('./delivery');
    report.delivery = await run({ quick: options.quick, sections: deliverySections, databases: options.databases, log });
    console.log(printDelivery(report.delivery));
  }
  if (options.sections.has('e')) {
    const { run } = require('./related');
    report.related = await run({ quick: options.quick, databases: options.databases, log });
    console.log(printRelated(report.related));
  }
  if (options.sections.has('f')) {
    const { run } = require('./experiments');
    report.experiments = await run({ quick: options.quick, databases: options.databases, log });
    console.log(printExperiments(report.experiments));
  }
  if (options.sections.has('d')) {
    // After the apps are gone, so the micro-benchmarks have the machine to themselves.
    report.consent = await micro('consent');
    report.rules = await micro('rules');
    console.log(printMicro(report));
  }

  report.loadAverageAtEnd = os.loadavg().map((value) => round(value, 2));
  warnIfBusy('at end');
  report.seconds = round((Date.now() - started) / 1000, 1);
  report.summary = summarize(report);
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nsummary: ${JSON.stringify(report.summary)}`);
  console.log(`done in ${report.seconds} s; wrote ${path.relative(process.cwd(), RESULTS)}`);
}

/** Other work on the machine (a test suite, a build) skews every figure here; say so. */
function warnIfBusy(when) {
  const [oneMinute] = os.loadavg();
  if (oneMinute > 1) {
    console.log(`  note: load average ${oneMinute.toFixed(2)} ${when} on ${os.cpus().length} cores — other processes are running; figures are noisy`);
  }
}

/** The ratios PRODUCT.md states targets for, in one place. */
function summarize(report) {
  const summary = {};
  const databases = report.delivery?.databases ?? {};
  if (databases.sqlite?.throughput) {
    summary.throughputRatioNoVariants = databases.sqlite.throughput.ratio;
    summary.cpuPerRequestRatioNoVariants = databases.sqlite.throughput.cpuRatio;
  }
  for (const [database, result] of Object.entries(databases)) {
    if (result?.latency) {
      summary[`latencyRatio5000vs0_${database}`] = result.latency.ratio5000vs0;
      summary[`cpuPerRequestRatio5000vs0_${database}`] = result.latency.cpuRatio5000vs0;
    }
    if (result?.queries) {
      summary[`extraQueries_${database}`] = Object.fromEntries(result.queries.rows.map((row) => [row.kind, row.extraDataQueries]));
    }
  }
  for (const [database, result] of Object.entries(report.related?.databases ?? {})) {
    if (result?.throughputNoVariants) summary[`related_throughputRatioNoVariants_${database}`] = result.throughputNoVariants.ratio;
    if (result?.throughput) summary[`related_throughputRatioNothingServed_${database}`] = result.throughput.ratio;
    if (result?.latency) summary[`related_latencyRatio5000vs0_${database}`] = result.latency.ratio5000vs0;
    if (result?.queries) {
      summary[`related_extraQueries_${database}`] = Object.fromEntries(result.queries.rows.map((row) => [row.kind, row.extraDataQueries]));
    }
  }
  for (const [database, result] of Object.entries(report.experiments?.databases ?? {})) {
    if (result?.latency) summary[`experiments_latencyRatioVsNone_${database}`] = result.latency.ratio5000vs0;
    if (result?.sql) summary[`experiments_writesOnRequestPath_${database}`] = result.sql.writesOnRequestPath.withExperiments;
  }
  if (report.consent && !report.consent.error && !report.consent.skipped) {
    summary.tokenCacheHitNs = report.consent.tokenCacheHitMedianNs;
    summary.tokenCacheMissUs = report.consent.tokenCacheMissHs256MedianUs;
  }
  return summary;
}

module.exports = { parseArgs, printDelivery, printRelated, printMicro, printExperiments };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
    require('./lib/apps')
      .cleanup()
      .catch(() => undefined);
  });
}
