'use strict';
/**
 * Soak: two Strapi instances on PostgreSQL (LISTEN/NOTIFY coherence) under mixed traffic for a
 * set time, every answer checked against an oracle (bench/lib/soak-oracle.js: the plugin's pure
 * decision over the state the admin API reports, for that visitor and time).
 *
 * Traffic, spread over both instances: lists of 25, findOne, GraphQL, the homepage with its
 * highlights (a populated single type) and an author with its articles (a relation), by visitors
 * without a token, with a token, and with a withdrawn one. Meanwhile consents are granted and
 * withdrawn, and editors write every few seconds on either instance: variants created (cloned,
 * retitled, published), enabled and disabled, re-targeted, reordered, unpublished, republished,
 * edited and deleted.
 *
 * Alongside, for the same time, the long fuzz run (tests/fuzz/run.js, the CI fuzzer's generators
 * and properties) against a Strapi process of its own on the same PostgreSQL server; `--fuzz=0`
 * leaves it out.
 *
 * Reports per minute: requests, p50 and p99, 5xx, wrong answers, RSS (after a full collection) and event-loop delay per
 * instance. Exits 1 on any 5xx or wrong answer, RSS growth after warm-up above 10 %, or a fuzz failure.
 *
 * Usage: DATABASE_CLIENT=postgres node bench/soak.js [--minutes=30] [--concurrency=3] [--bases=2000]
 *        [--managed=12] [--edit-every=3] [--warmup=5] [--fuzz=1]        (npm run soak -- --minutes=30)
 * Writes bench/results/soak.json.
 */
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { spawn } = require('node:child_process');

process.env.DATABASE_CLIENT = process.env.DATABASE_CLIENT || 'postgres';
require('esbuild-register/dist/node').register({ target: 'node20' });

const { startCluster } = require('../tests/helpers/instance.ts');
const { ADMIN } = require('../tests/helpers/strapi.ts');
const { oracle: makeOracle, visitor: makeVisitor, NO_TOKEN } = require('./lib/soak-oracle');
const { quantile, median, round } = require('./lib/stats');
const { table } = require('./lib/table');

const ARTICLE = 'api::article.article';
const CM = `/content-manager/collection-types/${ARTICLE}`;
const SEED = path.join(__dirname, 'lib', 'seed.js');
const SETUP = path.join(__dirname, 'lib', 'soak-setup.js');
const RESULTS = path.join(__dirname, 'results', 'soak.json');
const AUDIENCES = {
  outdoor: { in: ['outdoor', { var: 'interests' }] },
  cooking: { in: ['cooking', { var: 'interests' }] },
};
const MAX_GROWTH = 0.1;
const GRAPHQL_LIST = `query SoakList($ids: [ID]) {
  articles(filters: { documentId: { in: $ids } }, pagination: { pageSize: 25 }) { documentId title personalization { variant kind reason } }
}`;

function parseArgs(argv) {
  const options = { minutes: 30, concurrency: 3, bases: 2000, managed: 12, editEvery: 3, warmup: 5, fuzz: 1 };
  for (const arg of argv) {
    const [name, value] = arg.replace(/^--/, '').split('=');
    const key = name.replace(/-(\w)/g, (_, letter) => letter.toUpperCase());
    if (!(key in options) || !Number.isFinite(Number(value))) throw new Error(`unknown argument ${arg}`);
    options[key] = Number(value);
  }
  return options;
}

const pick = (items) => items[Math.floor(Math.random() * items.length)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function shuffled(items) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

async function run(options, log) {
  const cluster = await startCluster({
    config: { coherence: { mode: 'postgres' }, rateLimit: { max: 1_000_000, events: { max: 1_000_000 } } },
  });
  const instances = cluster.instances;
  const [A] = instances;
  const oracle = makeOracle();
  const minutes = [];
  const wrongSamples = [];
  const totals = { requests: 0, fiveHundreds: 0, otherErrors: 0, wrong: 0, checked: 0, edits: 0, editErrors: 0, consents: 0 };
  try {
    // --- Set-up: admin, seeded bases with variants, managed bases, homepage, author, visitors.
    await A.command('grantPublic', [`${ARTICLE}.find`, `${ARTICLE}.findOne`, 'api::author.author.findOne', 'api::homepage.homepage.find']);
    await A.request('POST', '/admin/register-admin', { body: ADMIN });
    // An admin session lasts 30 minutes: the editors log in again when it has ended.
    const logIn = async () => (await A.request('POST', '/admin/login', { body: { email: ADMIN.email, password: ADMIN.password } })).body.data.token;
    let jwt = await logIn();
    const admin = async (instance, method, url, body) => {
      let response = await instance.request(method, url, { headers: { Authorization: `Bearer ${jwt}` }, body });
      if (response.status === 401) {
        jwt = await logIn();
        response = await instance.request(method, url, { headers: { Authorization: `Bearer ${jwt}` }, body });
      }
      if (response.status >= 300) throw new Error(`${method} ${url} on ${instance.name}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
      return response.body;
    };
    log(`seeding ${options.bases} bases, ${options.bases / 2} with a variant…`);
    await A.command('call', SEED, 'seed', [{ entries: options.bases, variants: options.bases / 2 }]);
    await A.command('call', SEED, 'seedHomepage', [{ highlights: 20 }]);
    const state = await A.command('call', SETUP, 'articleState', []);
    const staticBases = Object.keys(state.titles).filter((documentId) => !state.records.some((record) => record.variantDocumentId === documentId));
    const now = performance.now();
    for (const documentId of staticBases) {
      const records = state.records.filter((record) => record.baseDocumentId === documentId);
      const published = new Map(records.map((record) => [record.variantDocumentId, state.titles[record.variantDocumentId]]));
      oracle.setBase(documentId, { title: state.titles[documentId], records, published }, now);
    }
    const managed = [];
    for (let i = 0; i < options.managed; i++) {
      const title = `Managed ${i}`;
      const created = await admin(A, 'POST', `${CM}?locale=en`, { title, slug: `managed-${i}` });
      await admin(A, 'POST', `${CM}/${created.data.documentId}/actions/publish?locale=en`, {});
      const base = { documentId: created.data.documentId, title, published: new Map(), drafts: new Map(), next: 0 };
      managed.push(base);
      oracle.setBase(base.documentId, { title, records: [], published: base.published }, performance.now());
    }
    const authorId = await A.command('call', SETUP, 'createAuthor', [
      { name: 'Soak author', documentIds: [...managed.map((base) => base.documentId), ...staticBases.slice(0, 8)] },
    ]);
    const visitors = Array.from({ length: 12 }, (_, i) => {
      const visitor = makeVisitor(`v${i}`);
      visitor.set(NO_TOKEN, performance.now());
      return visitor;
    });

    // --- Measurement per minute.
    let minute = null;
    const startedAt = performance.now();
    let minuteCount = 0;
    const newMinute = () => ({ index: minuteCount++, requests: 0, latencies: [], fiveHundreds: 0, otherErrors: 0, wrong: 0, edits: 0 });
    minute = newMinute();
    const record = (ms, status) => {
      minute.requests += 1;
      totals.requests += 1;
      minute.latencies.push(ms);
      if (status >= 500 || status === 0) {
        minute.fiveHundreds += status >= 500 ? 1 : 0;
        totals.fiveHundreds += status >= 500 ? 1 : 0;
      }
      if (status !== 200) {
        minute.otherErrors += status >= 500 ? 0 : 1;
        totals.otherErrors += status >= 500 ? 0 : 1;
      }
    };
    const wrong = (detail, at = minute) => {
      at.wrong += 1;
      totals.wrong += 1;
      if (wrongSamples.length < 20) wrongSamples.push(detail);
    };

    const headersOf = (visitor) => (visitor.token ? { 'X-Consent-Token': visitor.token } : {});

    /**
     * Checks each delivered article of a response, and that targeted content is never public. Later:
     * an edit under way when the answer came is recorded once it is done.
     */
    const deferred = [];
    const CHECK_AFTER_MS = 15_000;
    function checkEntries(entries, visitor, started, ended, response, where) {
      const at = minute;
      deferred.push({
        due: ended + CHECK_AFTER_MS,
        check() {
          let targeted = false;
          for (const entry of entries) {
            if (!entry) continue;
            totals.checked += 1;
            const problem = oracle.check(entry, visitor, started, ended);
            if (problem) wrong({ where, visitor: visitor.name, ...problem }, at);
            if (entry.personalization?.kind === 'targeted') targeted = true;
          }
          if (targeted && !/private/.test(String(response.headers['cache-control']))) {
            wrong({ where, problem: 'targeted content without Cache-Control: private', cacheControl: response.headers['cache-control'] }, at);
          }
        },
      });
    }
    const runChecks = (all) => {
      const now = performance.now();
      while (deferred.length > 0 && (all || deferred[0].due <= now)) deferred.shift().check();
    };
    const checker = async () => {
      while (running) {
        await sleep(500);
        runChecks(false);
      }
    };

    const REQUESTS = [
      [30, async (instance, visitor) => {
        const ids = [...managed.map((base) => base.documentId), ...shuffled(staticBases).slice(0, 25 - managed.length)];
        const query = ids.map((id, i) => `filters[documentId][$in][${i}]=${id}`).join('&');
        return ['list', await instance.request('GET', `/api/articles?${query}&pagination[pageSize]=25`, { headers: headersOf(visitor) }), (body) => body.data];
      }],
      [25, async (instance, visitor) => {
        const base = pick(managed);
        return ['findOne', await instance.request('GET', `/api/articles/${base.documentId}`, { headers: headersOf(visitor) }), (body) => [body.data]];
      }],
      [15, async (instance, visitor) => {
        const ids = [...managed.map((base) => base.documentId), ...shuffled(staticBases).slice(0, 5)];
        // One query text with variables, as frontends send it: the server parses it once.
        const response = await instance.request('POST', '/graphql', { headers: headersOf(visitor), body: { query: GRAPHQL_LIST, variables: { ids } } });
        return ['graphql', response, (body) => (body.errors ? null : body.data.articles)];
      }],
      [15, async (instance, visitor) => {
        const response = await instance.request('GET', `/api/authors/${authorId}?populate=articles`, { headers: headersOf(visitor) });
        return ['relation', response, (body) => body.data.articles];
      }],
      [15, async (instance, visitor) => {
        const response = await instance.request('GET', '/api/homepage?populate=highlights', { headers: headersOf(visitor) });
        return ['homepage', response, (body) => body.data.highlights];
      }],
    ];
    const weightTotal = REQUESTS.reduce((sum, [weight]) => sum + weight, 0);
    const chooseRequest = () => {
      let roll = Math.random() * weightTotal;
      for (const [weight, make] of REQUESTS) if ((roll -= weight) < 0) return make;
      return REQUESTS[0][1];
    };

    let running = true;
    const traffic = async () => {
      while (running) {
        const instance = pick(instances);
        const visitor = pick(visitors);
        const started = performance.now();
        let where = 'request';
        try {
          const [name, response, entriesOf] = await chooseRequest()(instance, visitor);
          where = `${name} on ${instance.name}`;
          const ended = performance.now();
          record(ended - started, response.status);
          if (response.status !== 200) {
            if (response.status >= 500 && wrongSamples.length < 20) wrongSamples.push({ where, status: response.status, body: JSON.stringify(response.body).slice(0, 300) });
            continue;
          }
          const entries = entriesOf(response.body);
          if (!Array.isArray(entries)) wrong({ where, problem: 'no entries', body: JSON.stringify(response.body).slice(0, 300) });
          else checkEntries(entries, visitor, started, ended, { headers: response.headers }, where);
        } catch (error) {
          record(performance.now() - started, 0);
          if (wrongSamples.length < 20) wrongSamples.push({ where, error: String(error.message ?? error) });
        }
      }
    };

    /** Consent: a visitor without a token gets one, one with a token withdraws it, a withdrawn one drops it. */
    const consents = async () => {
      while (running) {
        await sleep(1_000);
        const visitor = pick(visitors);
        const instance = pick(instances);
        const current = visitor.history[visitor.history.length - 1].value;
        const started = performance.now();
        try {
          if (current.reason === 'no-token') {
            const interests = [pick(['outdoor', 'cooking'])];
            const response = await instance.request('POST', '/api/personalization/consent', {
              body: { purposes: ['personalization'], attributes: { interests } },
            });
            record(performance.now() - started, response.status === 201 ? 200 : response.status);
            if (response.status !== 201) continue;
            visitor.token = response.body.data.token;
            visitor.set({ valid: true, reason: 'consent', purposes: ['personalization'], attributes: { interests } }, performance.now());
          } else if (current.valid) {
            const response = await instance.request('DELETE', '/api/personalization/consent', { headers: { 'X-Consent-Token': visitor.token } });
            record(performance.now() - started, response.status === 204 ? 200 : response.status);
            if (response.status === 204) visitor.set({ valid: false, reason: 'token-revoked' }, started, performance.now());
          } else {
            visitor.token = undefined;
            visitor.set(NO_TOKEN, performance.now());
          }
          totals.consents += 1;
        } catch (error) {
          record(performance.now() - started, 0);
        }
      }
    };

    /** Editors: one write every `editEvery` seconds on a managed base, through either instance. */
    const edit = async (instance, base) => {
      const list = async () => (await admin(instance, 'GET', `/personalization/variants/${ARTICLE}/${base.documentId}`)).data;
      const records = await list();
      const variant = records.length > 0 ? pick(records) : null;
      const actions = ['create', 'create'];
      if (variant) actions.push('toggle', 'retarget', 'reorder', 'publication', 'content', 'delete');
      if (records.length >= 4) actions.splice(0, 2);
      const action = pick(actions);
      const from = performance.now();
      if (action === 'create') {
        const key = `k${base.next++}`;
        const kind = Math.random() < 0.7 ? 'targeted' : 'mass';
        const body = { contentType: ARTICLE, baseDocumentId: base.documentId, key, name: key, kind };
        if (kind === 'targeted') body.audience = AUDIENCES[pick(Object.keys(AUDIENCES))];
        const created = (await admin(instance, 'POST', '/personalization/variants', body)).data;
        const title = `${base.title}: ${key}`;
        await admin(instance, 'PUT', `${CM}/${created.variantDocumentId}?locale=en`, { title });
        await admin(instance, 'POST', `${CM}/${created.variantDocumentId}/actions/publish?locale=en`, {});
        base.drafts.set(created.variantDocumentId, title);
        base.published.set(created.variantDocumentId, title);
      } else if (action === 'toggle') {
        await admin(instance, 'PUT', `/personalization/variants/${variant.documentId}`, { enabled: !variant.enabled });
      } else if (action === 'retarget') {
        const audience = variant.kind === 'targeted' ? AUDIENCES[pick(Object.keys(AUDIENCES))] : null;
        await admin(instance, 'PUT', `/personalization/variants/${variant.documentId}`, { audience });
      } else if (action === 'reorder') {
        await admin(instance, 'PUT', `/personalization/variants/${ARTICLE}/${base.documentId}/order`, { keys: shuffled(records.map((item) => item.key)) });
      } else if (action === 'publication') {
        const published = base.published.has(variant.variantDocumentId);
        await admin(instance, 'POST', `${CM}/${variant.variantDocumentId}/actions/${published ? 'unpublish' : 'publish'}?locale=en`, {});
        if (published) base.published.delete(variant.variantDocumentId);
        else base.published.set(variant.variantDocumentId, base.drafts.get(variant.variantDocumentId));
      } else if (action === 'content') {
        const title = `${base.title}: ${variant.key} edited ${Math.random().toString(36).slice(2, 8)}`;
        await admin(instance, 'PUT', `${CM}/${variant.variantDocumentId}?locale=en`, { title });
        await admin(instance, 'POST', `${CM}/${variant.variantDocumentId}/actions/publish?locale=en`, {});
        base.drafts.set(variant.variantDocumentId, title);
        base.published.set(variant.variantDocumentId, title);
      } else if (action === 'delete') {
        await admin(instance, 'DELETE', `/personalization/variants/${variant.documentId}`);
        base.published.delete(variant.variantDocumentId);
      }
      const answered = performance.now();
      oracle.setBase(base.documentId, { title: base.title, records: await list(), published: new Map(base.published) }, from, answered);
      return action;
    };
    const editors = async () => {
      while (running) {
        await sleep(options.editEvery * 1_000 * (0.5 + Math.random()));
        if (!running) break;
        const base = pick(managed);
        try {
          await edit(pick(instances), base);
          totals.edits += 1;
          minute.edits += 1;
        } catch (error) {
          totals.editErrors += 1;
          if (/: 5\d\d /.test(error.message)) {
            totals.fiveHundreds += 1;
            minute.fiveHundreds += 1;
          }
          if (wrongSamples.length < 20) wrongSamples.push({ where: 'editor', error: error.message });
          // The state is unknown now: read it as it is (when it cannot be read, the last known state stays).
          const read = await admin(A, 'GET', `/personalization/variants/${ARTICLE}/${base.documentId}`).catch(() => null);
          if (read) oracle.setBase(base.documentId, { title: base.title, records: read.data, published: new Map(base.published) }, performance.now());
        }
      }
    };

    const closeMinute = async () => {
      const health = await Promise.all(instances.map((instance) => instance.command('health', { collect: true })));
      const done = minute;
      minute = newMinute();
      const summary = {
        minute: done.index + 1,
        requests: done.requests,
        p50: round(quantile(done.latencies, 0.5), 1),
        p99: round(quantile(done.latencies, 0.99), 1),
        fiveHundreds: done.fiveHundreds,
        otherErrors: done.otherErrors,
        wrong: done.wrong,
        edits: done.edits,
        rssMB: health.map((item) => round(item.rss / 2 ** 20, 1)),
        heapMB: health.map((item) => round(item.heapUsed / 2 ** 20, 1)),
        loopDelayP99: health.map((item) => round(item.loopDelay.p99, 1)),
        loopDelayMax: health.map((item) => round(item.loopDelay.max, 1)),
      };
      minutes.push(summary);
      log(
        `min ${summary.minute}: ${summary.requests} req, p50 ${summary.p50} ms, p99 ${summary.p99} ms, 5xx ${summary.fiveHundreds}, wrong ${summary.wrong}, ` +
          `edits ${summary.edits}, RSS ${summary.rssMB.join(' / ')} MB, loop p99 ${summary.loopDelayP99.join(' / ')} ms`
      );
    };

    log(`soak: ${options.minutes} min, ${options.concurrency} clients, ${options.managed} managed bases, an edit every ~${options.editEvery} s`);
    await Promise.all(instances.map((instance) => instance.command('health')));
    const workers = [...Array.from({ length: options.concurrency }, traffic), consents(), editors(), checker()];
    while (performance.now() - startedAt < options.minutes * 60_000) {
      await sleep(Math.min(60_000 * (minutes.length + 1) - (performance.now() - startedAt), 60_000));
      await closeMinute();
    }
    running = false;
    await Promise.all(workers);
    runChecks(true);

    return { options, totals, minutes, ...rssGrowth(minutes, options.warmup), warmupMinutes: options.warmup, wrongSamples };
  } finally {
    await cluster.stop();
  }
}

/**
 * RSS growth per instance after warm-up. A single minute's RSS moves with the collector by several
 * per cent, so the growth compares the median of the five minutes after warm-up with the median of
 * the last five; the minute-to-minute figures are reported too (`rssGrowthMinuteToMinute`).
 */
function rssGrowth(minutes, warmup) {
  const after = minutes.slice(Math.min(warmup, minutes.length - 1));
  const window = Math.max(1, Math.min(5, Math.floor(after.length / 2)));
  const medianOf = (rows, i) => median(rows.map((row) => row.rssMB[i]));
  const instances = minutes[0].rssMB.length;
  const growth = (from, to) => Array.from({ length: instances }, (_, i) => round((to(i) - from(i)) / from(i), 3));
  return {
    rssGrowthAfterWarmup: growth((i) => medianOf(after.slice(0, window), i), (i) => medianOf(after.slice(-window), i)),
    rssGrowthMinuteToMinute: growth((i) => after[0].rssMB[i], (i) => after[after.length - 1].rssMB[i]),
  };
}

function print(results) {
  console.log(
    table(
      ['min', 'requests', 'p50 ms', 'p99 ms', '5xx', 'wrong', 'edits', 'RSS A / B MB', 'loop p99 A / B ms'],
      results.minutes.map((m) => [m.minute, m.requests, m.p50, m.p99, m.fiveHundreds, m.wrong, m.edits, m.rssMB.join(' / '), m.loopDelayP99.join(' / ')])
    )
  );
  const { totals } = results;
  console.log(
    `\n${totals.requests} requests (${totals.checked} entries checked), ${totals.edits} edits (${totals.editErrors} failed), ${totals.consents} consent changes; ` +
      `5xx ${totals.fiveHundreds}, wrong answers ${totals.wrong}, other non-200 ${totals.otherErrors}; ` +
      `RSS growth after minute ${results.warmupMinutes} (median of five minutes, first vs last): ${results.rssGrowthAfterWarmup.map((g) => `${round(g * 100, 1)} %`).join(' / ')}; ` +
      `minute ${results.warmupMinutes + 1} to the last: ${results.rssGrowthMinuteToMinute.map((g) => `${round(g * 100, 1)} %`).join(' / ')}`
  );
  if (results.wrongSamples.length > 0) console.log('first problems:', JSON.stringify(results.wrongSamples, null, 2));
}

/**
 * The long fuzz run in a process of its own for `minutes`: resolves with its exit code and the
 * summary it printed last (requests, by route and status), its log lines going to `log`.
 */
function fuzzAlongside(minutes, log) {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'tests', 'fuzz', 'run.js'), `--minutes=${minutes}`], {
    env: { ...process.env, DATABASE_CLIENT: 'postgres' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => String(chunk).trimEnd().split('\n').forEach((line) => log(`fuzz: ${line}`)));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const json = out.slice(out.indexOf('\n{') + 1, out.lastIndexOf('}') + 1);
      let summary = null;
      try {
        summary = JSON.parse(json);
      } catch {
        // The run failed before its summary: the exit code says so.
      }
      out.split('\n').filter((line) => line.startsWith('[')).forEach((line) => log(`fuzz: ${line}`));
      resolve({ exitCode: code, requests: summary?.requests ?? null, summary });
    });
  });
}

module.exports = { run, print, fuzzAlongside };

if (require.main === module) {
  const options = parseArgs(process.argv.slice(2));
  const log = (line) => console.error(line);
  const fuzzing = options.fuzz ? fuzzAlongside(options.minutes, log) : Promise.resolve(null);
  run(options, log)
    .then(async (results) => {
      print(results);
      results.fuzz = await fuzzing;
      if (results.fuzz) console.log(`fuzz alongside: ${results.fuzz.requests ?? '?'} requests, ${results.fuzz.exitCode === 0 ? 'no failure' : `FAILED (exit ${results.fuzz.exitCode})`}`);
      fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
      fs.writeFileSync(RESULTS, JSON.stringify(results, null, 2));
      const ok =
        results.totals.fiveHundreds === 0 &&
        results.totals.wrong === 0 &&
        results.rssGrowthAfterWarmup.every((g) => g <= MAX_GROWTH) &&
        (!results.fuzz || results.fuzz.exitCode === 0);
      process.exit(ok ? 0 : 1);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
