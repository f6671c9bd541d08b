'use strict';

/**
 * `npm run demo`: builds what is missing (the plugin's dist, the admin panel), starts the
 * playground app on SQLite with example content and prints where to look.
 * HOST, PORT and DEMO_DB (SQLite file, relative to playground/) are honoured. DEMO_NO_BUILD=1 starts
 * what is built as it is: the browser tests build first, under a lock, and a source file someone
 * edits meanwhile must not start a second build inside the test's start-up time.
 */

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const APP_DIR = path.resolve(__dirname, '..');

const host = process.env.HOST || '127.0.0.1';
const port = process.env.PORT || '1337';
const adminEmail = process.env.DEMO_ADMIN_EMAIL || 'editor@example.com';
const adminPassword = process.env.DEMO_ADMIN_PASSWORD || 'Editor-demo-1';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

function mtime(file) {
  return fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    console.error(`\n${command} ${args.join(' ')} failed (exit ${result.status}).`);
    process.exit(result.status || 1);
  }
}

function buildIfStale() {
  const pluginBuilt = mtime(path.join(ROOT, 'dist/server/index.js'));
  const sources = Math.max(newestMtime(path.join(ROOT, 'server/src')), newestMtime(path.join(ROOT, 'admin/src')));
  if (pluginBuilt < sources) {
    console.log('Building the plugin (dist/) …');
    run('npx', ['strapi-plugin', 'build'], ROOT);
  }
  if (mtime(path.join(ROOT, 'dist/client/index.mjs')) < newestMtime(path.join(ROOT, 'client/src'))) {
    console.log('Building the frontend client (dist/client) …');
    run(process.execPath, ['client/build.mjs'], ROOT);
  }
  const adminBuilt = mtime(path.join(APP_DIR, 'build/index.html'));
  if (adminBuilt < Math.max(mtime(path.join(ROOT, 'dist/admin/index.js')), newestMtime(path.join(APP_DIR, 'src/admin')))) {
    console.log('Building the admin panel (playground/build) …');
    run('npx', ['strapi', 'build'], APP_DIR);
  }
}

async function main() {
  if (process.env.DEMO_NO_BUILD !== '1') buildIfStale();
  process.env.HOST = host;
  process.env.PORT = port;
  delete process.env.PERSONALIZATION_PLUGIN_PATH;
  fs.mkdirSync(path.join(APP_DIR, '.tmp'), { recursive: true });

  const { createStrapi } = require('@strapi/strapi');
  const strapi = createStrapi({ appDir: APP_DIR, distDir: APP_DIR, autoReload: false });
  await strapi.load();
  const { seed } = require('./seed');
  const seeded = await seed(strapi, { adminEmail, adminPassword });
  await strapi.listen();

  const base = `http://${host}:${port}`;
  const personalized = await strapi.db.query('plugin::personalization.variant').findOne({ select: ['baseDocumentId'] });
  const article = `${base}/api/articles/${personalized ? personalized.baseDocumentId : ''}`;
  console.log(`
Personalization demo is running${seeded.articlesCreated ? ` (seeded ${seeded.articlesCreated} articles)` : ''}.

  Visitor site  ${base}/
  Admin panel   ${base}/admin
                log in as ${adminEmail} / ${adminPassword}
  Content API   ${base}/api/articles

Try (without consent: the campaign variant for everyone; with a token: the targeted variant):
  curl -s ${article}
  curl -s -H "X-Consent-Token: $(curl -s -X POST ${base}/api/personalization/consent -H 'Content-Type: application/json' -d '{"purposes":["personalization"],"attributes":{"interests":["outdoor"]}}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).data.token')" ${article}
`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
