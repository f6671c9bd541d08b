'use strict';
/**
 * Benchmark apps: a temporary copy of playground/ whose config/plugins.js can switch the plugin
 * off (BENCH_PLUGIN=off, for the plain-Strapi baseline), and Strapi child processes on it, each
 * with its own SQLite file or PostgreSQL schema, driven over IPC. Everything is removed by
 * `cleanup()`, which also runs on exit and on SIGINT/SIGTERM.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { fork } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const PLAYGROUND = path.join(ROOT, 'playground');
const SOURCE_PLUGIN = path.join(ROOT, 'tests', 'fixtures', 'plugin-source');
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' };
const BOOT_TIMEOUT_MS = 180_000;
const COMMAND_TIMEOUT_MS = 180_000;

const live = new Set();
const schemas = new Set();
let appDir;

/** Copies playground/ (no .tmp, build, node_modules, types) into a temp dir and links node_modules. */
function prepareAppDir() {
  if (appDir) return appDir;
  appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'personalization-bench-'));
  const skip = new Set(['.tmp', 'build', 'node_modules', '.strapi', 'types', 'dist', '.strapi-updater.json']);
  for (const name of fs.readdirSync(PLAYGROUND)) {
    if (skip.has(name)) continue;
    fs.cpSync(path.join(PLAYGROUND, name), path.join(appDir, name), { recursive: true });
  }
  fs.mkdirSync(path.join(appDir, '.tmp'), { recursive: true });
  fs.mkdirSync(path.join(appDir, 'public', 'uploads'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(appDir, 'node_modules'), 'dir');
  // The playground's own plugins config, with the plugin switched off on demand.
  fs.writeFileSync(
    path.join(appDir, 'config', 'plugins.js'),
    `'use strict';
const original = require(${JSON.stringify(path.join(PLAYGROUND, 'config', 'plugins.js'))});
module.exports = (context) => {
  const plugins = original(context);
  if (process.env.BENCH_PLUGIN === 'off') plugins.personalization = { ...plugins.personalization, enabled: false };
  return plugins;
};
`
  );
  return appDir;
}

/**
 * The plugin's TypeScript sources through tests/fixtures/plugin-source (esbuild-register compiles
 * them in the app process); BENCH_PLUGIN_PATH points elsewhere, e.g. a patched copy or the package
 * root for the built dist.
 */
function pluginPath() {
  return process.env.BENCH_PLUGIN_PATH ? path.resolve(process.env.BENCH_PLUGIN_PATH) : SOURCE_PLUGIN;
}

async function pgQuery(sql) {
  const { Client } = require('pg');
  const client = new Client(PG);
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function pgServerVersion() {
  const result = await pgQuery('SHOW server_version');
  return result.rows[0].server_version;
}

/**
 * Starts one app: `{ name, plugin, client: 'sqlite'|'postgres', pluginDir?, switchable? }`. Resolves when
 * it listens, with `{ name, port, call(command, args), stop() }`. `switchable` wraps the plugin's delivery
 * hooks so the `delivery` command can switch them (app.js); other apps run the plugin unwrapped.
 */
async function startApp({ name, plugin = true, client = 'sqlite', pluginDir = pluginPath(), config = {}, switchable = false }) {
  const dir = prepareAppDir();
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    STRAPI_TELEMETRY_DISABLED: 'true',
    BROWSER: 'none',
    HOST: '127.0.0.1',
    PORT: '0',
    BENCH_APP_DIR: dir,
    BENCH_PLUGIN: plugin ? 'on' : 'off',
    BENCH_SWITCHABLE: switchable ? 'on' : 'off',
    PERSONALIZATION_PLUGIN_PATH: pluginDir,
    PERSONALIZATION_CONFIG: JSON.stringify(config),
    DATABASE_CLIENT: client,
  };
  const cleanupDb = [];
  if (client === 'postgres') {
    const schema = `bench_${name}_${process.pid}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pgQuery(`CREATE SCHEMA "${schema}"`);
    schemas.add(schema);
    env.DATABASE_SCHEMA = schema;
    cleanupDb.push(async () => {
      await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      schemas.delete(schema);
    });
  } else {
    const file = path.join(dir, '.tmp', `${name}.db`);
    env.DATABASE_FILENAME = file;
    cleanupDb.push(async () => {
      for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
    });
  }

  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the apps.
  const execArgv = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = fork(path.join(__dirname, 'app.js'), [], { env, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const app = { name, child, port: null, cleanupDb, exited: false };
  live.add(app);
  const pending = new Map();
  let nextId = 0;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('exit', (code) => {
    app.exited = true;
    for (const { reject } of pending.values()) reject(new Error(`${name} exited (${code})`));
    pending.clear();
  });

  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not boot in ${BOOT_TIMEOUT_MS / 1000} s`)), BOOT_TIMEOUT_MS);
    child.on('message', (message) => {
      if ('ready' in message) {
        clearTimeout(timer);
        if (message.ready) resolve(message);
        else reject(new Error(`${name} failed to boot:\n${message.error}`));
        return;
      }
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) while booting`));
    });
  }).catch(async (error) => {
    await stopApp(app);
    throw error;
  });
  if (Boolean(ready.plugin) !== plugin) {
    await stopApp(app);
    throw new Error(`${name}: plugin loaded = ${ready.plugin}, expected ${plugin}`);
  }
  app.port = ready.port;
  app.exitedPromise = exited;
  app.call = (command, args) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${name}: ${command} timed out`));
      }, COMMAND_TIMEOUT_MS);
      pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      child.send({ id, command, args });
    });
  app.stop = () => stopApp(app);
  return app;
}

async function stopApp(app) {
  if (!live.has(app)) return;
  live.delete(app);
  if (!app.exited) {
    const exited = new Promise((resolve) => (app.exited ? resolve() : app.child.once('exit', resolve)));
    try {
      app.child.send({ id: 0, command: 'stop' });
    } catch {
      app.child.kill('SIGTERM');
    }
    const timer = setTimeout(() => app.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  for (const drop of app.cleanupDb) await drop().catch((error) => console.error(`cleanup ${app.name}:`, error.message));
}

/** Starts apps at most `concurrency` at a time (booting is CPU-bound). */
async function startApps(specs, concurrency = 2) {
  const apps = new Array(specs.length);
  let next = 0;
  let failure;
  async function worker() {
    while (next < specs.length && !failure) {
      const index = next++;
      try {
        apps[index] = await startApp(specs[index]);
      } catch (error) {
        failure = failure ?? error;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
  if (failure) {
    await Promise.all(apps.filter(Boolean).map(stopApp));
    throw failure;
  }
  return apps;
}

async function cleanup() {
  await Promise.all([...live].map(stopApp));
  for (const schema of [...schemas]) await pgQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  if (appDir) {
    fs.rmSync(appDir, { recursive: true, force: true });
    appDir = undefined;
  }
}

/** Last-resort cleanup when the parent is interrupted: children die with it (they watch the IPC channel). */
function killAllSync() {
  for (const app of live) {
    try {
      app.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  if (appDir) fs.rmSync(appDir, { recursive: true, force: true });
}

/** Ctrl-C or SIGTERM: stop the apps, drop the schemas, remove the temp app, then exit. */
function cleanupOnSignals() {
  let stopping = false;
  const onSignal = (signal) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping apps and removing temporary databases…`);
    cleanup()
      .catch(() => killAllSync())
      .finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAllSync);
}

/**
 * Runs `measure(database)` for each database into `result.databases`, PostgreSQL only when it
 * answers (else the cell says why it was skipped, and `result.postgresVersion` is set when it
 * does); every app and schema is removed afterwards, whatever happened.
 */
async function eachDatabase(result, databases, log, tag, measure) {
  try {
    for (const database of databases) {
      if (database === 'postgres') {
        const version = await pgServerVersion().catch((error) => error);
        if (version instanceof Error) {
          result.databases.postgres = { skipped: `PostgreSQL at 127.0.0.1:5432 unreachable: ${version.message}` };
          log(`  ${tag}. postgres skipped: ${version.message}`);
          continue;
        }
        result.postgresVersion = version;
      }
      result.databases[database] = await measure(database);
    }
  } finally {
    await cleanup();
  }
  return result;
}

module.exports = { startApp, startApps, stopApp, cleanup, cleanupOnSignals, killAllSync, pgServerVersion, pgQuery, pluginPath, eachDatabase };
