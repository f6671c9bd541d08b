'use strict';
/**
 * One benchmark Strapi app, run as a child process of bench/run.js (see ./apps.js).
 * Boots the playground copy named by BENCH_APP_DIR, listens on 127.0.0.1 (random port) and
 * answers commands over IPC (see `commands`). It exits when its parent goes.
 */
const http = require('node:http');
const { PerformanceObserver } = require('node:perf_hooks');

require('esbuild-register/dist/node').register();

const { seed, setVariants, seedHomepage } = require('./seed');
const { setScaleVariants } = require('./scale-seed');
const { setExperiments, requestPathStatements } = require('./experiments-seed');

const ARTICLE = 'api::article.article';
const HOMEPAGE = 'api::homepage.homepage';

let strapi;
let port;
/** Whether the plugin's delivery hooks act (see `switchableDelivery`). */
const delivery = { on: true };
/**
 * Wall time (ns) of the switchable hooks' own work while on, Strapi's work inside them left out:
 * the Koa and document middlewares less the time in `next`, the output sanitizers, the lifecycles,
 * and the query builders' creation less Strapi's own. Read in a process that serves one request
 * at a time, it is what delivery adds to each request (the guard's conditions, added later as
 * Strapi writes the SQL, are not in it).
 */
const hookTime = { middleware: 0n, sanitizer: 0n, lifecycle: 0n, queryBuilder: 0n };
/** Garbage-collection pauses (ns) while delivery is on or off alike: what requests' allocations cost later. */
const gcTime = { ns: 0n };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcTime.ns += BigInt(Math.round(entry.duration * 1e6));
}).observe({ entryTypes: ['gc'] });

async function boot() {
  const { createStrapi } = require('@strapi/strapi');
  const appDir = process.env.BENCH_APP_DIR;
  strapi = createStrapi({ appDir, distDir: appDir, autoReload: false, serveAdminPanel: false });
  strapi.log.level = 'error';
  if (process.env.BENCH_SWITCHABLE === 'on') switchableDelivery(strapi);
  await strapi.load();
  await strapi.server.mount();
  // Not strapi.listen(): that would also send startup telemetry.
  await new Promise((resolve, reject) => {
    strapi.server.httpServer.once('error', reject);
    strapi.server.httpServer.listen(0, '127.0.0.1', resolve);
  });
  port = strapi.server.httpServer.address().port;
  await grantPublic([`${ARTICLE}.find`, `${ARTICLE}.findOne`, `${HOMEPAGE}.find`]);
  return { port, plugin: Boolean(strapi.plugin('personalization')), pid: process.pid };
}

/**
 * Wraps what the plugin's register installs on the request path (Koa middleware, output
 * sanitizers, document middleware, database lifecycles, and the entity manager's query builder
 * and `load`) as it is installed, so the `delivery` command can switch all of it off and on in one
 * process: the cost of delivery measured without the difference between two processes. The rest
 * of the plugin (its routes, services, schema) stays as it is.
 */
function switchableDelivery(app) {
  const runPluginsLifecycles = app.runPluginsLifecycles.bind(app);
  app.runPluginsLifecycles = async (lifecycle) => {
    const plugin = lifecycle === 'register' ? app.get('modules').get('plugin::personalization') : undefined;
    if (plugin) {
      const register = plugin.register;
      plugin.register = async () => {
        const settle = interceptHooks(app);
        try {
          await register();
        } finally {
          settle();
        }
      };
    }
    return runPluginsLifecycles(lifecycle);
  };
}

function interceptHooks(app) {
  const restores = [];
  const wrapMethod = (object, name, wrap) => {
    const original = object[name];
    object[name] = wrap(original.bind(object));
    restores.push(() => {
      object[name] = original;
    });
  };
  const unlessOff = (hook) => async (first, next) => {
    if (!delivery.on) return next();
    const started = process.hrtime.bigint();
    let inside = 0n;
    const timedNext = async (...args) => {
      const entered = process.hrtime.bigint();
      try {
        return await next(...args);
      } finally {
        inside += process.hrtime.bigint() - entered;
      }
    };
    try {
      return await hook(first, timedNext);
    } finally {
      hookTime.middleware += process.hrtime.bigint() - started - inside;
    }
  };
  const timed = (part, work) => {
    const started = process.hrtime.bigint();
    try {
      return work();
    } finally {
      hookTime[part] += process.hrtime.bigint() - started;
    }
  };
  wrapMethod(app.server, 'use', (use) => (middleware) => use(unlessOff(middleware)));
  wrapMethod(app.documents, 'use', (use) => (middleware) => use(unlessOff(middleware)));
  wrapMethod(app.sanitizers, 'add', (add) => (key, sanitizer) =>
    add(key, (schema) => {
      const sanitize = sanitizer(schema);
      return (entry) => (delivery.on ? timed('sanitizer', () => sanitize(entry)) : entry);
    })
  );
  wrapMethod(app.db.lifecycles, 'subscribe', (subscribe) => (subscriber) =>
    subscribe(
      Object.fromEntries(
        Object.entries(subscriber).map(([name, value]) => [
          name,
          typeof value === 'function' ? (event) => (delivery.on ? timed('lifecycle', () => value(event)) : undefined) : value,
        ])
      )
    )
  );
  const entityManager = app.db.entityManager;
  const before = { createQueryBuilder: entityManager.createQueryBuilder, load: entityManager.load };
  // Strapi's own query-builder creation, timed where the plugin's replacement calls it.
  let strapiBuilding = 0n;
  const timedCreate = function (...args) {
    const started = process.hrtime.bigint();
    try {
      return before.createQueryBuilder.apply(this, args);
    } finally {
      strapiBuilding += process.hrtime.bigint() - started;
    }
  };
  entityManager.createQueryBuilder = timedCreate;
  return () => {
    restores.forEach((restore) => restore());
    if (entityManager.createQueryBuilder === timedCreate) entityManager.createQueryBuilder = before.createQueryBuilder;
    for (const [name, original] of Object.entries(before)) {
      const replaced = entityManager[name];
      if (replaced === original) continue;
      entityManager[name] = function (...args) {
        if (!delivery.on) return original.apply(this, args);
        if (name !== 'createQueryBuilder') return replaced.apply(this, args);
        const started = process.hrtime.bigint();
        const building = strapiBuilding;
        try {
          return replaced.apply(this, args);
        } finally {
          hookTime.queryBuilder += process.hrtime.bigint() - started - (strapiBuilding - building);
        }
      };
    }
  };
}

async function grantPublic(actions) {
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'public' } });
  for (const action of actions) {
    await strapi.db.query('plugin::users-permissions.permission').create({ data: { action, role: role.id } });
  }
}

function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body;
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        resolve({ status: response.statusCode, headers: response.headers, body });
      });
    });
    request.on('error', reject);
  });
}

/**
 * The SQL statements knex runs while `work` runs (nothing else runs in this process), each with
 * its time in ms from knex's 'query' to its 'query-response'.
 */
async function recordQueries(work) {
  const knex = strapi.db.connection;
  const statements = [];
  const started = new Map();
  const onQuery = (query) => {
    started.set(query.__knexQueryUid, { sql: query.sql, at: process.hrtime.bigint() });
    statements.push(query.sql);
  };
  const timings = [];
  const onResponse = (_response, query) => {
    const start = started.get(query.__knexQueryUid);
    if (start) timings.push({ sql: start.sql, ms: Number(process.hrtime.bigint() - start.at) / 1e6 });
  };
  knex.on('query', onQuery);
  knex.on('query-response', onResponse);
  try {
    const result = await work();
    return { result, queries: statements.length, statements, timings };
  } finally {
    knex.removeListener('query', onQuery);
    knex.removeListener('query-response', onResponse);
  }
}

/**
 * The plugin's coherence check runs its own statements in the background now and then; of three
 * recordings of the same request, the one with the fewest statements holds only the request's.
 */
async function fewestOf(record) {
  let best;
  for (let attempt = 0; attempt < 3; attempt++) {
    const recording = await record();
    if (!best || recording.queries < best.queries) best = recording;
  }
  return best;
}

function labelKinds(entries, field = 'kind') {
  const kinds = {};
  for (const entry of entries) {
    const kind = entry?.personalization?.[field] ?? 'unlabelled';
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

/**
 * Summary of one response: status, entry count, labels; enough to check a scenario is what it
 * claims. With `relation`, the same for the entries the (single) entry reaches through it.
 */
function summarize(response, relation) {
  const data = response.body?.data;
  const entries = Array.isArray(data) ? data : data ? [data] : [];
  const summary = {
    status: response.status,
    entries: entries.length,
    total: response.body?.meta?.pagination?.total,
    kinds: labelKinds(entries),
    reasons: labelKinds(entries, 'reason'),
    cacheControl: response.headers['cache-control'] ?? null,
  };
  if (relation) {
    const related = entries.flatMap((entry) => entry?.[relation] ?? []);
    summary.related = { entries: related.length, kinds: labelKinds(related) };
  }
  return summary;
}

const commands = {
  async seed(options) {
    return seed(strapi, options);
  },

  /** The same bases with another number of live variants (after `seed`). */
  async setVariants(options) {
    return setVariants(strapi, options);
  },

  /** Up to ten variants per seeded base, mixed targeted and mass, some with segments (bench/scale-cells.js). */
  async setScaleVariants(options) {
    return setScaleVariants(strapi, options);
  },

  /** The homepage, published, reaching the first `highlights` seeded bases (after `seed`). */
  async seedHomepage(options) {
    return seedHomepage(strapi, options);
  },

  /** A visitor's token; with `measurement` among the purposes they are enrolled in running experiments. */
  async token({ purposes = ['personalization'] }) {
    const issuer = strapi.plugin('personalization').service('consent').issuer();
    return (await issuer.issue({ purposes, attributes: { interests: ['outdoor'] } })).token;
  },

  /** A running experiment on each of the first `experiments` bases with a variant (after `setVariants`). */
  async setExperiments(options) {
    return setExperiments(strapi, options);
  },

  /** The SQL of `requests` single requests, writes counted apart, and of the flush of what they buffered. */
  async requestPath(options) {
    return requestPathStatements(strapi, get, options);
  },

  async probe({ path, headers, relation }) {
    return summarize(await get(path, headers), relation);
  },

  /** SQL statements of one HTTP request, after a warm-up request (token cache, permissions). */
  async queries({ path, headers, relation }) {
    await get(path, headers);
    const { result, queries, statements, timings } = await fewestOf(() => recordQueries(() => get(path, headers)));
    return { ...summarize(result, relation), queries, statements, timings };
  },

  /** SQL statements of a document-service count as the content API runs it (no REST route counts alone). */
  async documentCount() {
    const ctx = {
      state: { route: { info: { type: 'content-api' } } },
      path: '/api/articles',
      method: 'GET',
      vary() {},
      set() {},
    };
    const count = () => strapi.requestContext.run(ctx, () => strapi.documents(ARTICLE).count({ status: 'published', locale: 'en' }));
    await count();
    const { result, queries, statements, timings } = await fewestOf(() => recordQueries(count));
    return { total: result, queries, statements, timings };
  },

  /** Switches the plugin's delivery hooks on or off (see `switchableDelivery`; the app must be started `switchable`). */
  async delivery({ on }) {
    if (process.env.BENCH_SWITCHABLE !== 'on') throw new Error('delivery: this app was not started switchable');
    delivery.on = Boolean(on);
    return delivery.on;
  },

  /** Since the last call, then reset (µs): the switchable hooks' own time by part (see `hookTime`), and collector pauses. */
  async deliveryTime() {
    const us = (timer, key) => {
      const value = Number(timer[key]) / 1000;
      timer[key] = 0n;
      return value;
    };
    const hooks = Object.fromEntries(Object.keys(hookTime).map((part) => [part, us(hookTime, part)]));
    return { hooks, gc: us(gcTime, 'ns') };
  },

  /** CPU time of this process so far (µs); differences give server CPU per request. */
  async cpuUsage() {
    const { user, system } = process.cpuUsage();
    return user + system;
  },

  async stop() {
    await shutdown(0);
  },
};

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  try {
    if (strapi) await strapi.destroy();
  } catch (error) {
    console.error(error);
  }
  process.exit(code);
}

process.on('disconnect', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

process.on('message', async ({ id, command, args }) => {
  try {
    const result = await commands[command](args ?? {});
    if (process.connected) process.send({ id, ok: true, result });
  } catch (error) {
    if (process.connected) process.send({ id, ok: false, error: String(error?.stack ?? error) });
  }
});

boot().then(
  (info) => process.send({ ready: true, ...info }),
  (error) => {
    process.send?.({ ready: false, error: String(error?.stack ?? error) });
    shutdown(1);
  }
);
