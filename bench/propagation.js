'use strict';
/**
 * Coherence between instances: two Strapi processes on one database (tests/helpers/instance.ts).
 * A change is made through A — a variant disabled or enabled, a consent token revoked — and timed
 * from A's answer until B answers accordingly over HTTP (B is asked back to back; for the poll
 * transport each change waits a random part of the check interval first). Per transport:
 * PostgreSQL LISTEN/NOTIFY, Redis pub/sub, the change-stamp check (poll); optionally with many
 * live variants on the type, since every instance rebuilds its index on a change.
 * Then SQL statements per content request with coherence on and off: coherence adds none; its
 * background check costs a few statements per second per instance, outside any request.
 *
 * Usage: DATABASE_CLIENT=postgres|mysql|sqlite node bench/propagation.js
 *          [--changes=100] [--transports=postgres,redis,poll] [--variants=0,5000]
 *        DATABASE_CLIENT=postgres node bench/propagation.js --restart=postgres|redis   (see restartUnderTraffic)
 * Needs Redis on 127.0.0.1:6379 for the redis transport. Writes bench/results/propagation.json.
 */
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

process.env.DATABASE_CLIENT = process.env.DATABASE_CLIENT || 'postgres';
require('esbuild-register/dist/node').register({ target: 'node20' });

const { startCluster } = require('../tests/helpers/instance.ts');
const { ADMIN } = require('../tests/helpers/strapi.ts');
const { table } = require('./lib/table');
const { quantile, round } = require('./lib/stats');

const ARTICLE = 'api::article.article';
const CM = `/content-manager/collection-types/${ARTICLE}`;
const SEED = path.join(__dirname, 'lib', 'seed.js');
const RESULTS = path.join(__dirname, 'results', 'propagation.json');
const REDIS_URL = 'redis://127.0.0.1:6379';
const TIMEOUT_MS = 30_000;

function defaultTransports(client) {
  if (client === 'postgres') return ['postgres', 'redis', 'poll'];
  return ['poll', 'redis'];
}

function parseArgs(argv) {
  const options = { changes: 100, transports: defaultTransports(process.env.DATABASE_CLIENT), variants: [0] };
  for (const arg of argv) {
    const [name, value] = arg.split('=');
    if (name === '--changes') options.changes = Number(value);
    else if (name === '--transports') options.transports = value.split(',');
    else if (name === '--variants') options.variants = value.split(',').map(Number);
    else throw new Error(`unknown argument ${arg}; use --changes=100 --transports=postgres,redis,poll --variants=0,5000`);
  }
  return options;
}

/** A published base article with one targeted variant, and an admin session on instance `admin`. */
async function setUp(admin, others) {
  await admin.command('grantPublic', [`${ARTICLE}.find`, `${ARTICLE}.findOne`]);
  await admin.request('POST', '/admin/register-admin', { body: ADMIN });
  const login = await admin.request('POST', '/admin/login', { body: { email: ADMIN.email, password: ADMIN.password } });
  const jwt = login.body.data.token;
  const call = async (instance, method, url, body) => {
    const response = await instance.request(method, url, { headers: { Authorization: `Bearer ${jwt}` }, body });
    if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const base = await call(admin, 'POST', `${CM}?locale=en`, { title: 'Generic', slug: 'generic' });
  const baseId = base.data.documentId;
  await call(admin, 'POST', `${CM}/${baseId}/actions/publish?locale=en`, {});
  const created = await call(admin, 'POST', '/personalization/variants', {
    contentType: ARTICLE,
    baseDocumentId: baseId,
    key: 'outdoor',
    name: 'Outdoor',
    kind: 'targeted',
    audience: { in: ['outdoor', { var: 'interests' }] },
  });
  const variant = created.data;
  await call(admin, 'POST', `${CM}/${variant.variantDocumentId}/actions/publish?locale=en`, {});
  const token = await admin.command('issueToken', ['personalization'], { interests: ['outdoor'] });
  const site = { jwt, call, baseId, variant, token };
  for (const instance of [admin, ...others]) await until(() => served(instance, site, token), 'outdoor');
  return site;
}

async function label(instance, site, token) {
  const response = await instance.request('GET', `/api/articles/${site.baseId}`, { headers: { 'X-Consent-Token': token } });
  if (response.status !== 200) throw new Error(`GET on ${instance.name}: ${response.status}`);
  return response.body.data.personalization;
}

const served = async (instance, site, token) => (await label(instance, site, token)).variant;

/** Milliseconds until `probe()` returns `expected`, asking back to back. */
async function until(probe, expected, since = performance.now()) {
  while ((await probe()) !== expected) {
    if (performance.now() - since > TIMEOUT_MS) throw new Error(`no ${JSON.stringify(expected)} within ${TIMEOUT_MS} ms`);
  }
  return performance.now() - since;
}

/**
 * Before each change: a random pause up to one check interval, so that changes land at every phase
 * of the poll transport's check (back to back they would all land just after one).
 */
const pause = (site) => new Promise((resolve) => setTimeout(resolve, Math.random() * site.pollIntervalMs));

/**
 * `changes` toggles of the variant through A, each timed until B serves accordingly: from A's
 * answer (the editor sees the change saved; A has rebuilt its own index by then) and from the
 * start of A's request (an upper bound on the time since the commit).
 */
async function timeVariantChanges(A, B, site, changes) {
  const samples = { answer: [], fromAnswer: [], fromRequest: [] };
  for (let i = 0; i < changes; i++) {
    const enabled = i % 2 === 1;
    await pause(site);
    const requested = performance.now();
    await site.call(A, 'PUT', `/personalization/variants/${site.variant.documentId}`, { enabled });
    const answered = performance.now();
    await until(() => served(B, site, site.token), enabled ? 'outdoor' : null, answered);
    samples.answer.push(answered - requested);
    samples.fromAnswer.push(performance.now() - answered);
    samples.fromRequest.push(performance.now() - requested);
  }
  if (changes % 2 === 1) {
    await site.call(A, 'PUT', `/personalization/variants/${site.variant.documentId}`, { enabled: true });
    await until(() => served(B, site, site.token), 'outdoor');
  }
  return samples;
}

/** `changes` tokens, each verified (and cached) by B, revoked through A, timed until B refuses it. */
async function timeRevocations(A, B, site, changes) {
  const samples = [];
  for (let i = 0; i < changes; i++) {
    const token = await A.command('issueToken', ['personalization'], { interests: ['outdoor'] });
    if ((await served(B, site, token)) !== 'outdoor') throw new Error('B does not serve the variant to a fresh token');
    await pause(site);
    const response = await A.request('DELETE', '/api/personalization/consent', { headers: { 'X-Consent-Token': token } });
    if (response.status !== 204) throw new Error(`DELETE /consent: ${response.status}`);
    samples.push(await until(async () => (await label(B, site, token)).reason, 'token-revoked'));
  }
  return samples;
}

/** SQL statements of each of `requests` content requests on `instance`, and the background ones meanwhile. */
async function statementsPerRequest(instance, site, requests = 100) {
  await instance.command('takeQueryCounts');
  const perRequest = [];
  let inRequests = 0;
  const started = performance.now();
  for (let i = 0; i < requests || performance.now() - started < 3_000; i++) {
    if ((await served(instance, site, site.token)) !== 'outdoor') throw new Error('variant not served');
    const counts = await instance.command('takeQueryCounts');
    perRequest.push(counts.request);
    inRequests += counts.coherenceInRequest;
    instance.background = (instance.background ?? 0) + counts.coherence;
  }
  const seconds = (performance.now() - started) / 1000;
  const background = instance.background;
  delete instance.background;
  return {
    requests: perRequest.length,
    min: Math.min(...perRequest),
    max: Math.max(...perRequest),
    coherenceStatementsInRequests: inRequests,
    backgroundCoherenceStatementsPerSecond: round(background / seconds, 2),
  };
}

const summary = (samples) => ({
  n: samples.length,
  p50: round(quantile(samples, 0.5), 1),
  p99: round(quantile(samples, 0.99), 1),
  max: round(Math.max(...samples), 1),
});

function coherenceConfig(transport) {
  if (transport === 'redis') return { mode: 'redis', redisUrl: REDIS_URL };
  return { mode: transport };
}

async function measureTransport(transport, options, log) {
  const cluster = await startCluster({ config: { coherence: coherenceConfig(transport) } });
  const [A, B] = cluster.instances;
  try {
    const site = await setUp(A, [B]);
    const status = await B.command('status');
    site.pollIntervalMs = transport === 'poll' ? status.intervalMs : 0;
    const levels = [];
    let seeded = 0;
    for (const variants of options.variants) {
      if (variants > seeded) {
        // More bases, each with a live variant: every rebuild now indexes them all.
        await A.command('call', SEED, 'seed', [{ entries: variants - seeded, variants: variants - seeded }]);
        seeded = variants;
        await until(() => served(B, site, site.token), 'outdoor');
      }
      log(`  ${transport}: ${variants + 1} live variants, ${options.changes} variant changes…`);
      const changes = await timeVariantChanges(A, B, site, options.changes);
      const variantChange = {
        answer: summary(changes.answer),
        fromAnswer: summary(changes.fromAnswer),
        fromRequest: summary(changes.fromRequest),
      };
      log(`  ${transport}: ${options.changes} revocations…`);
      const revocation = summary(await timeRevocations(A, B, site, options.changes));
      levels.push({ liveVariants: variants + 1, variantChange, revocation });
    }
    const statements = await statementsPerRequest(B, site);
    const { received, checks } = await B.command('status');
    return { transport, levels, statements, received, checks };
  } finally {
    await cluster.stop();
  }
}

async function measureOff() {
  const cluster = await startCluster({ count: 1, config: { coherence: { mode: 'off' } } });
  const [only] = cluster.instances;
  try {
    const site = await setUp(only, []);
    return { transport: 'off', statements: await statementsPerRequest(only, site) };
  } finally {
    await cluster.stop();
  }
}

async function databaseVersion() {
  if (process.env.DATABASE_CLIENT !== 'postgres') return process.env.DATABASE_CLIENT;
  const { Client } = require('pg');
  const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    const { rows } = await client.query('show server_version');
    return `postgres ${rows[0].server_version}`;
  } finally {
    await client.end();
  }
}

async function run(options = {}, log = () => undefined) {
  const settings = { ...parseArgs([]), ...options };
  const results = { database: await databaseVersion(), changes: settings.changes, transports: [], off: null };
  log(`coherence propagation on ${results.database}`);
  results.off = await measureOff();
  for (const transport of settings.transports) results.transports.push(await measureTransport(transport, settings, log));
  return results;
}

function print(results) {
  const rows = [];
  for (const result of results.transports) {
    for (const level of result.levels) {
      const { answer, fromAnswer, fromRequest } = level.variantChange;
      rows.push([
        result.transport,
        level.liveVariants,
        answer.p50,
        `${fromAnswer.p50} / ${fromAnswer.p99} / ${fromAnswer.max}`,
        `${fromRequest.p50} / ${fromRequest.p99} / ${fromRequest.max}`,
        `${level.revocation.p50} / ${level.revocation.p99} / ${level.revocation.max}`,
      ]);
    }
  }
  const lines = [
    `\nPropagation A → B on ${results.database}, ${results.changes} changes of each kind; ms, p50 / p99 / max`,
    '  variant: enabled ↔ disabled through A (PUT), until B serves accordingly; revocation: DELETE /consent on A until B refuses the token',
    table(
      ['transport', 'live variants', "A's answer p50", 'variant, from answer', 'variant, from request', 'revocation, from answer'],
      rows
    ),
    '\nSQL statements per content request (findOne, targeted variant served), coherence off vs on',
    table(
      ['coherence', 'requests', 'statements per request', 'coherence statements in requests', 'background coherence statements/s'],
      [results.off, ...results.transports].map((result) => [
        result.transport,
        result.statements.requests,
        result.statements.min === result.statements.max ? result.statements.min : `${result.statements.min}–${result.statements.max}`,
        result.statements.coherenceStatementsInRequests,
        result.statements.backgroundCoherenceStatementsPerSecond,
      ])
    ),
  ];
  console.log(lines.join('\n'));
}

/**
 * `--restart=postgres|redis`: restarts the server under traffic on both instances (the command
 * comes from POSTGRES_RESTART_COMMAND or REDIS_RESTART_COMMAND; the defaults suit the CI machine),
 * then makes a change through A and times it on B. Counts answers by status and route: an enabled
 * type (the plugin at work) beside a type the plugin leaves alone, so that errors of Strapi's own
 * queries while the database is down are told apart from the plugin's.
 */
const RESTART = {
  postgres: () =>
    process.env.POSTGRES_RESTART_COMMAND ||
    'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart',
  redis: () =>
    process.env.REDIS_RESTART_COMMAND ||
    'redis-cli -h 127.0.0.1 shutdown nosave; redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" ' +
      '--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
};

async function restartUnderTraffic(server, log) {
  const { exec } = require('node:child_process');
  const transport = server === 'redis' ? 'redis' : 'postgres';
  const cluster = await startCluster({ config: { coherence: coherenceConfig(transport) } });
  const [A, B] = cluster.instances;
  try {
    const site = await setUp(A, [B]);
    await A.command('grantPublic', ['api::author.author.find']);
    const before = await B.command('status');
    const answers = new Map();
    let wrong = 0;
    let running = true;
    const count = (key) => answers.set(key, (answers.get(key) ?? 0) + 1);
    const traffic = Promise.all(
      [A, B, A, B].map(async (instance) => {
        while (running) {
          for (const [route, path] of [['articles', `/api/articles/${site.baseId}`], ['authors', '/api/authors']]) {
            try {
              const response = await instance.request('GET', path, { headers: { 'X-Consent-Token': site.token } });
              count(`${route} ${response.status}`);
              if (route === 'articles' && response.status === 200 && response.body.data.personalization.variant !== 'outdoor') wrong += 1;
            } catch (error) {
              count(`${route} ${error.code ?? 'error'}`);
            }
          }
        }
      })
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    log(`  restarting ${server}…`);
    const restartStarted = performance.now();
    // Not execSync: the traffic runs in this process and must go on meanwhile.
    await new Promise((resolve, reject) =>
      exec(RESTART[server](), { shell: '/bin/bash' }, (error) => (error ? reject(error) : resolve()))
    );
    const restartMs = performance.now() - restartStarted;
    // Recovery: both instances listen again and have resynced.
    const recoverySince = performance.now();
    await until(async () => (await A.command('status')).listening && (await B.command('status')).listening, true);
    const recoveredMs = performance.now() - recoverySince;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    running = false;
    await traffic;
    // A change after recovery propagates.
    let changeMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await site.call(A, 'PUT', `/personalization/variants/${site.variant.documentId}`, { enabled: false });
        changeMs = await until(() => served(B, site, site.token), null);
        break;
      } catch (error) {
        // Strapi's own pool may hand out a connection the restart killed, once.
        if (attempt >= 3) throw error;
      }
    }
    const after = await B.command('status');
    return {
      server,
      restartMs: round(restartMs, 0),
      listeningAgainAfterMs: round(recoveredMs, 0),
      changeAfterRecoveryMs: round(changeMs, 1),
      answers: Object.fromEntries([...answers].sort()),
      wrongAnswers: wrong,
      reconnects: after.reconnects - before.reconnects,
      resyncs: after.resyncs - before.resyncs,
    };
  } finally {
    await cluster.stop();
  }
}

module.exports = { run, print, restartUnderTraffic };

if (require.main === module && process.argv.some((arg) => arg.startsWith('--restart='))) {
  const server = process.argv.find((arg) => arg.startsWith('--restart=')).slice(10);
  restartUnderTraffic(server, (line) => console.error(line))
    .then((result) => {
      console.log(JSON.stringify(result, null, 2));
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
} else if (require.main === module) {
  run(parseArgs(process.argv.slice(2)), (line) => console.error(line))
    .then((results) => {
      print(results);
      fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
      fs.writeFileSync(RESULTS, JSON.stringify(results, null, 2));
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
