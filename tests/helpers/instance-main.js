'use strict';
/**
 * One Strapi instance in its own process, for the multi-instance tests and bench/propagation.js
 * (started by tests/helpers/instance.ts). Boots the playground app with the plugin from its
 * TypeScript sources (esbuild-register; PERSONALIZATION_PLUGIN_PATH points at
 * tests/fixtures/plugin-source) on the database the environment names, listens on a free port of
 * 127.0.0.1 and answers a few commands over IPC. It exits when its parent goes.
 */
const path = require('node:path');

require('esbuild-register/dist/node').register({ target: 'node20' });

// INSTANCE_APP_DIR: another app, e.g. a copy of the playground without the plugin (tests/fuzz).
const APP_DIR = process.env.INSTANCE_APP_DIR || path.resolve(__dirname, '../../playground');

let strapi;

/** Commands the parent may send: { id, command, args } → { id, result } or { id, error }. */
const COMMANDS = {
  status: () => strapi.plugin('personalization').service('coherence').status(),
  /** Memory now (after a full collection when `collect`), and event-loop delay since the last call (ms), for the soak. */
  health({ collect = false } = {}) {
    if (collect) collectGarbage();
    const { rss, heapUsed } = process.memoryUsage();
    const delay = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
    loopDelay.reset();
    return { rss, heapUsed, loopDelay: delay };
  },

  /** Full builds and partial updates of the variant index so far. */
  indexStats: () => strapi.plugin('personalization').service('variant-index').stats(),

  async grantPublic(actions) {
    const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'public' } });
    for (const action of actions) {
      await strapi.db.query('plugin::users-permissions.permission').create({ data: { action, role: role.id } });
    }
    return actions.length;
  },

  /** A consent token from the plugin's own issuer, without the rate-limited endpoint. */
  async issueToken(purposes, attributes = {}) {
    return (await strapi.plugin('personalization').service('consent').issuer().issue({ purposes, attributes })).token;
  },

  /** For benchmarks: `require(modulePath)[name](strapi, ...args)`, e.g. bench/lib/seed.js. */
  async call(modulePath, name, args = []) {
    return require(modulePath)[name](strapi, ...args);
  },

  /** A variant-index change announced from inside a transaction that then commits or rolls back. */
  async changeInTransaction(commit) {
    const rolledBack = new Error('rolled back on purpose');
    try {
      await strapi.db.transaction(async () => {
        await strapi.plugin('personalization').service('variant-index').rebuild();
        if (!commit) throw rolledBack;
      });
    } catch (error) {
      if (error !== rolledBack) throw error;
    }
    return commit;
  },

  /**
   * SQL statements since the last call, by origin: run for an HTTP request, or in the background;
   * `coherence` counts the plugin's tagged stamp reads and writes among them; `writesInRequest`
   * the inserts, updates and deletes run for a request.
   */
  takeQueryCounts() {
    const taken = { ...queryCounts };
    queryCounts = { request: 0, background: 0, coherence: 0, coherenceInRequest: 0, writesInRequest: 0 };
    return taken;
  },
};

/** A full collection without starting node with --expose-gc. */
function collectGarbage() {
  require('node:v8').setFlagsFromString('--expose-gc');
  require('node:vm').runInNewContext('gc')();
}

const loopDelay = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

let queryCounts = { request: 0, background: 0, coherence: 0, coherenceInRequest: 0, writesInRequest: 0 };

function countQueries() {
  // This app, not the module's `strapi`, which shutdown clears before the queries of destroy run.
  const app = strapi;
  app.db.connection.on('query', (query) => {
    const inRequest = Boolean(app.requestContext.get());
    if (inRequest) queryCounts.request += 1;
    else queryCounts.background += 1;
    if (inRequest && /^\s*(insert|update|delete)\b/i.test(query.sql)) queryCounts.writesInRequest += 1;
    if (query.sql.startsWith('/* strapi-plugin-personalization coherence */')) {
      queryCounts.coherence += 1;
      if (inRequest) queryCounts.coherenceInRequest += 1;
    }
  });
}

async function boot() {
  const { createStrapi } = require('@strapi/strapi');
  strapi = createStrapi({ appDir: APP_DIR, distDir: APP_DIR, autoReload: false, serveAdminPanel: false });
  strapi.log.level = process.env.INSTANCE_LOG_LEVEL || 'error';
  await strapi.load();
  await strapi.server.mount();
  countQueries();
  // Not strapi.listen(): that would also send startup telemetry.
  await new Promise((resolve, reject) => {
    strapi.server.httpServer.once('error', reject);
    strapi.server.httpServer.listen(Number(process.env.INSTANCE_PORT || 0), '127.0.0.1', resolve);
  });
  return { port: strapi.server.httpServer.address().port, pid: process.pid, plugin: Boolean(strapi.plugin('personalization')) };
}

async function shutdown(code) {
  const app = strapi;
  strapi = undefined;
  try {
    if (app) await app.destroy();
  } finally {
    process.exit(code);
  }
}

process.on('message', async ({ id, command, args = [] }) => {
  try {
    if (command === 'stop') {
      process.send({ id, result: true });
      return shutdown(0);
    }
    const handler = COMMANDS[command];
    if (!handler) throw new Error(`unknown command ${command}`);
    process.send({ id, result: await handler(...args) });
  } catch (error) {
    process.send({ id, error: String(error && error.stack ? error.stack : error) });
  }
});
process.on('disconnect', () => void shutdown(0));

boot().then(
  (ready) => process.send({ ready }),
  (error) => {
    process.send({ failed: String(error && error.stack ? error.stack : error) });
    process.exit(1);
  }
);
