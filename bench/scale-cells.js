'use strict';
/**
 * Section g of `npm run bench`: 50,000 live variants (ten per base on 5,000 bases, mixed targeted
 * and mass, some with segments; bench/lib/scale-seed.js).
 *
 *  g1. A list of 25 at 50,000 variants against the same list with none, with and without a token:
 *      two plugin processes crossed over (one at 0 while the other is at 50,000, then swapped),
 *      single requests interleaved over both; the ratio is the median over rounds of the geometric
 *      mean of both phases, and how far the phases disagree is the noise floor (bench/delivery.js
 *      `latencySection`). On PostgreSQL and SQLite.
 *  g2. Two instances on PostgreSQL (LISTEN/NOTIFY): 100 changes of one variant through A, timed
 *      until A serves them (local) and until B does (another instance), at 5,000 and at 50,000
 *      variants; and in B's process the index work of one change (one base read again, a
 *      different base each time) against a full rebuild, at both levels.
 *
 * Usage: node bench/scale-cells.js [--quick] [--db=postgres,sqlite] [--parts=list,change] [--rounds=3]
 * Merges its result into bench/results/latest.json (key `scale`).
 */
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const { startApps, stopApp, cleanup, cleanupOnSignals } = require('./lib/apps');
const { latencySection } = require('./delivery');
const { quantile, median, round } = require('./lib/stats');
const { table } = require('./lib/table');

const RESULTS = path.join(__dirname, 'results', 'latest.json');
const BASES = 5000;
const TOP = 50_000;
const ARTICLE = 'api::article.article';
const CM = `/content-manager/collection-types/${ARTICLE}`;
const TIMEOUT_MS = 30_000;

function parseArgs(argv) {
  const options = { quick: false, databases: ['postgres', 'sqlite'], parts: ['list', 'change'], rounds: 3 };
  for (const arg of argv) {
    if (arg === '--quick') options.quick = true;
    else if (arg.startsWith('--db=')) options.databases = arg.slice(5).split(',');
    else if (arg.startsWith('--parts=')) options.parts = arg.slice(8).split(',');
    else if (arg.startsWith('--rounds=')) options.rounds = Number(arg.slice(9));
    else throw new Error(`unknown argument ${arg}; use --quick, --db=postgres,sqlite, --parts=list,change, --rounds=3`);
  }
  return options;
}

/** g1: the crossed-over list cells at 0 and 50,000 variants. */
async function listCells(database, { quick, rounds }, log) {
  const settings = quick ? { rounds: 1, requests: 20, warmup: 5 } : { rounds, requests: 100, warmup: 20 };
  const pair = await startApps([1, 2].map((n) => ({ name: `${database}-scale-${n}`, plugin: true, client: database })));
  try {
    await Promise.all(pair.map((app) => app.call('seed', { entries: BASES, variants: 0 })));
    const token = await pair[0].call('token', {});
    const result = await latencySection(database, null, pair, token, settings, log, {
      levels: [0, TOP],
      command: 'setScaleVariants',
      tag: 'g1',
      route: `GET /api/articles (25 of ${BASES} bases, ${TOP / BASES} variants per base at ${TOP})`,
    });
    return result;
  } finally {
    await Promise.all(pair.map(stopApp));
  }
}

/** g2: change-to-served on both instances, and the index work of one change, at each level. */
async function changeCells(levels, changes, log) {
  process.env.DATABASE_CLIENT = 'postgres';
  require('esbuild-register/dist/node').register({ target: 'node20' });
  const { startCluster } = require('../tests/helpers/instance.ts');
  const { ADMIN } = require('../tests/helpers/strapi.ts');
  const SEED = path.join(__dirname, 'lib', 'seed.js');
  const SCALE = path.join(__dirname, 'lib', 'scale-seed.js');
  const cluster = await startCluster({ config: { coherence: { mode: 'postgres' } } });
  const [A, B] = cluster.instances;
  try {
    await A.command('grantPublic', [`${ARTICLE}.find`, `${ARTICLE}.findOne`]);
    await A.request('POST', '/admin/register-admin', { body: ADMIN });
    const login = await A.request('POST', '/admin/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    const jwt = login.body.data.token;
    const call = async (instance, method, url, body) => {
      const response = await instance.request(method, url, { headers: { Authorization: `Bearer ${jwt}` }, body });
      if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    };
    const token = await A.command('issueToken', ['personalization'], { interests: ['outdoor'] });
    await A.command('call', SEED, 'seed', [{ entries: BASES, variants: 0 }]);
    const rows = [];
    for (const level of levels) {
      log(`  g2: ${level} variants…`);
      await A.command('call', SCALE, 'setScaleVariants', [{ variants: level }]);
      // A base of its own, with one variant the editor toggles, made through the admin API.
      const base = (await call(A, 'POST', `${CM}?locale=en`, { title: 'Toggled', slug: `toggled-${level}` })).data.documentId;
      await call(A, 'POST', `${CM}/${base}/actions/publish?locale=en`, {});
      const variant = (
        await call(A, 'POST', '/personalization/variants', {
          contentType: ARTICLE,
          baseDocumentId: base,
          key: 'outdoor',
          name: 'Outdoor',
          kind: 'targeted',
          audience: { in: ['outdoor', { var: 'interests' }] },
        })
      ).data;
      await call(A, 'POST', `${CM}/${variant.variantDocumentId}/actions/publish?locale=en`, {});
      const served = async (instance) => {
        const response = await instance.request('GET', `/api/articles/${base}`, { headers: { 'X-Consent-Token': token } });
        if (response.status !== 200) throw new Error(`GET on ${instance.name}: ${response.status}`);
        return response.body.data.personalization.variant;
      };
      const until = async (instance, expected, since) => {
        while ((await served(instance)) !== expected) {
          if (performance.now() - since > TIMEOUT_MS) throw new Error(`${instance.name}: no ${expected} within ${TIMEOUT_MS} ms`);
        }
        return performance.now() - since;
      };
      await until(B, 'outdoor', performance.now());
      const samples = { local: [], other: [], otherFromAnswer: [] };
      for (let i = 0; i < changes; i++) {
        const enabled = i % 2 === 1;
        const expected = enabled ? 'outdoor' : null;
        const requested = performance.now();
        await call(A, 'PUT', `/personalization/variants/${variant.documentId}`, { enabled });
        const answered = performance.now();
        samples.local.push(await until(A, expected, requested));
        samples.other.push(await until(B, expected, requested));
        samples.otherFromAnswer.push(performance.now() - answered);
      }
      const cost = await B.command('call', SCALE, 'indexUpdateCost', [{ changes: 100, full: 3 }]);
      const summary = (values) => ({ p50: round(quantile(values, 0.5), 1), p99: round(quantile(values, 0.99), 1), max: round(Math.max(...values), 1) });
      rows.push({
        liveVariants: cost.liveVariants,
        local: summary(samples.local),
        otherInstance: summary(samples.other),
        otherInstanceFromAnswer: summary(samples.otherFromAnswer),
        indexOneBaseMs: summary(cost.oneBase),
        indexFullMs: { median: round(median(cost.full), 1), runs: cost.full.map((ms) => round(ms, 1)) },
        bStats: await B.command('indexStats'),
      });
    }
    return { changes, levels: rows };
  } finally {
    await cluster.stop();
  }
}

async function run(options, log) {
  const result = { bases: BASES, variants: TOP, list: {}, change: null };
  try {
    if (options.parts.includes('list')) {
      for (const database of options.databases) result.list[database] = await listCells(database, options, log);
    }
  } finally {
    await cleanup();
  }
  if (options.parts.includes('change')) result.change = await changeCells([5000, TOP], options.quick ? 10 : 100, log);
  const top = Object.values(result.list).map((cell) => cell.levels.at(-1));
  const top2 = result.change?.levels.at(-1);
  result.met = {
    listRatio: top.every((level) => level['no token'].ratioVs0 <= 1.15 && level.token.ratioVs0 <= 1.15),
    otherInstanceP99: top2 ? top2.otherInstance.p99 <= 1000 : undefined,
  };
  return result;
}

function print(result) {
  const out = [];
  for (const [database, cell] of Object.entries(result.list)) {
    const top = cell.levels.at(-1);
    out.push(
      `\ng1. ${cell.route} — ${database}; ${cell.processes} processes crossed over, ${cell.settings.rounds} rounds of ${cell.settings.requests} requests per cell`,
      table(
        ['variants', 'p50 no token', '×', 'p50 token', '×', 'served/25 (token)'],
        cell.levels.map((row) => [row.variants, row['no token'].p50Ms, row['no token'].ratioVs0, row.token.p50Ms, row.token.ratioVs0, `${row.token.servedOnPage}/${row.token.entriesOnPage}`])
      ),
      `   noise floor, each round's two phases: no token ${JSON.stringify(top['no token'].phaseRatios)}; token ${JSON.stringify(top.token.phaseRatios)}`,
      `   target ≤ 1.15×: ${cell.met ? 'met' : 'MISSED'}`
    );
  }
  if (result.change) {
    out.push(
      `\ng2. A variant change through A until served, ${result.change.changes} changes, PostgreSQL LISTEN/NOTIFY; ms p50 / p99 / max`,
      table(
        ['live variants', 'A (local), from request', 'B, from request', 'B, from A’s answer', 'index: one base (in B)', 'index: full rebuild'],
        result.change.levels.map((row) => [
          row.liveVariants,
          `${row.local.p50} / ${row.local.p99} / ${row.local.max}`,
          `${row.otherInstance.p50} / ${row.otherInstance.p99} / ${row.otherInstance.max}`,
          `${row.otherInstanceFromAnswer.p50} / ${row.otherInstanceFromAnswer.p99} / ${row.otherInstanceFromAnswer.max}`,
          `${row.indexOneBaseMs.p50} / ${row.indexOneBaseMs.p99}`,
          `${row.indexFullMs.median}`,
        ])
      ),
      `   target: p99 on B ≤ 1000 ms at ${TOP}: ${result.met.otherInstanceP99 ? 'met' : 'MISSED'}`
    );
  }
  return out.join('\n');
}

module.exports = { run, print };

if (require.main === module) {
  cleanupOnSignals();
  run(parseArgs(process.argv.slice(2)), (line) => console.error(line)).then(
    (result) => {
      console.log(print(result));
      const latest = fs.existsSync(RESULTS) ? JSON.parse(fs.readFileSync(RESULTS, 'utf8')) : {};
      // A run of some parts or databases keeps the others' last figures.
      const before = latest.scale ?? {};
      latest.scale = {
        ...result,
        measuredAt: new Date().toISOString(),
        list: { ...before.list, ...result.list },
        change: result.change ?? before.change ?? null,
      };
      fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
      fs.writeFileSync(RESULTS, JSON.stringify(latest, null, 2));
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    }
  );
}
