#!/usr/bin/env node
'use strict';

/**
 * The README's install, uninstall and re-enable paths, run in a TypeScript Strapi app freshly
 * generated with create-strapi-app@5.54.0, against the tarball `npm pack` makes of this repository
 * (build it first: `npm run build`).
 *
 * The commands come from the README itself: every fenced block preceded by a
 * `<!-- e2e <phase>:<kind> -->` comment is run as written, with one substitution: the tarball path
 * (`/path/to/strapi-plugin-personalization-<version>.tgz`) becomes the packed file. Kinds:
 * - `run`: each line in bash, in the app folder; `npm run start` is started in the background and
 *   waited for;
 * - `config <file>`: the block is put into the object that file's default export returns;
 * - `schema`: the block is merged into the fixture type's schema.json.
 * What the README says in words is mirrored here: making the fixture content type (an app of your
 * own has one), ticking the Public role's permissions (the same admin request the Roles page
 * sends), stopping the app, and taking the entry out of config and schema on uninstall.
 *
 *   node tests/install/readme-e2e.js [--json <results file>] [--keep] [--generated-app <dir>]
 *
 * `--generated-app` copies an app generated and installed as above instead of making one (saves
 * the install, about 2.5 min, when working on this script).
 *
 * Writes a jest-style summary (numPassedTests, numFailedTests) to --json for `.ci/run`.
 */

const { execSync, spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '../..');
const README = path.join(ROOT, 'README.md');
const VERSION = require(path.join(ROOT, 'package.json')).version;
const TARBALL_IN_README = `/path/to/strapi-plugin-personalization-${VERSION}.tgz`;
const CREATE_APP =
  'npx --yes create-strapi-app@5.54.0 app --ts --use-npm --skip-cloud --no-example --no-git-init --skip-db --no-run --no-install --non-interactive';
const TYPE = 'api::article.article';
const BASE_URL = 'http://127.0.0.1:1337';
const ADMIN = { email: 'admin@example.com', password: 'Install-e2e-1', firstname: 'Install', lastname: 'Test' };

/** The marked blocks of the README, in order: `{ phase, kind, arg, lang, body }`. */
function readmeSteps(markdown) {
  const steps = [];
  const marker = /<!-- e2e (\w+):(\w+)(?: (\S+))? -->\s*\n```(\w+)\n([\s\S]*?)\n```/g;
  let match;
  while ((match = marker.exec(markdown))) {
    steps.push({ phase: match[1], kind: match[2], arg: match[3] ?? null, lang: match[4], body: match[5] });
  }
  return steps;
}

/** The lines of a `run` block that are commands (comments and `# →` output lines left out). */
function commandsOf(step) {
  return step.body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/** Puts a config entry into the object the file's default export returns (first `=> ({` line). */
function insertConfigEntry(source, entry) {
  const opening = /=>\s*\(\{[ \t]*\n/;
  if (!opening.test(source)) throw new Error('no `=> ({` in the config file to put the entry into');
  return source.replace(opening, (line) => `${line}${entry}\n`);
}

/** Takes the `personalization` entry out again (the README's uninstall step, in words there). */
function removeConfigEntry(source, entry) {
  if (!source.includes(`${entry}\n`)) throw new Error('the personalization entry is not in the config file');
  return source.replace(`${entry}\n`, '');
}

function mergeSchemaOptions(schema, snippet) {
  const options = JSON.parse(`{${snippet}}`);
  return { ...schema, pluginOptions: { ...schema.pluginOptions, ...options.pluginOptions } };
}

module.exports = { readmeSteps, commandsOf, insertConfigEntry, removeConfigEntry, mergeSchemaOptions, TARBALL_IN_README };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

async function main() {
  const args = process.argv.slice(2);
  const jsonOut = args.includes('--json') ? path.resolve(args[args.indexOf('--json') + 1]) : null;
  const keep = args.includes('--keep');
  const generated = args.includes('--generated-app') ? path.resolve(args[args.indexOf('--generated-app') + 1]) : null;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'personalization-readme-e2e-'));
  const appDir = path.join(work, 'app');
  const steps = readmeSteps(fs.readFileSync(README, 'utf8'));
  const phase = (name) => steps.filter((step) => step.phase === name);
  const started = Date.now();
  const results = [];
  const timings = {};
  let server = null;
  let admin = null;

  const log = (message) => console.log(`[readme-e2e ${new Date().toISOString().slice(11, 19)}] ${message}`);
  async function timed(name, work) {
    const from = Date.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round((Date.now() - from) / 1000);
      log(`${name}: ${timings[name]} s`);
    }
  }
  async function check(title, assertion) {
    const from = Date.now();
    try {
      await assertion();
      results.push({ title, status: 'passed', duration: Date.now() - from });
      log(`✓ ${title}`);
    } catch (error) {
      results.push({ title, status: 'failed', duration: Date.now() - from, failureMessages: [String(error?.stack ?? error)] });
      log(`✕ ${title}\n${error?.stack ?? error}`);
    }
  }
  function expect(condition, message) {
    if (!condition) throw new Error(message);
  }

  function sh(command, options = {}) {
    log(`$ ${command}`);
    return execSync(command, { cwd: appDir, shell: '/bin/bash', stdio: options.capture ? 'pipe' : 'inherit', encoding: 'utf8', env: appEnv(), timeout: 15 * 60_000 });
  }
  function appEnv() {
    // The app's own .env decides; nothing of this repository's environment leaks into it.
    const env = { ...process.env };
    for (const key of Object.keys(env)) if (/^(DATABASE_|PERSONALIZATION_|NODE_ENV$|PORT$|HOST$)/.test(key)) delete env[key];
    return env;
  }

  async function startServer(command) {
    // Another app on the port would answer the checks in this one's place.
    const occupied = await fetch(`${BASE_URL}/_health`).then(() => true, () => false);
    if (occupied) throw new Error(`something already answers on ${BASE_URL}; stop it first`);
    log(`$ ${command} (in the background)`);
    const output = fs.openSync(path.join(work, 'server.log'), 'a');
    server = spawn('bash', ['-c', command], { cwd: appDir, env: appEnv(), detached: true, stdio: ['ignore', output, output] });
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      if (server.exitCode !== null) throw new Error(`the app stopped (exit ${server.exitCode}); see ${path.join(work, 'server.log')}`);
      try {
        const response = await fetch(`${BASE_URL}/_health`);
        if (response.status === 204) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error('the app did not answer within 180 s');
  }
  async function stopServer() {
    if (!server) return;
    const running = server;
    server = null;
    if (running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    process.kill(-running.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    if (running.exitCode === null) process.kill(-running.pid, 'SIGKILL');
  }

  async function runStep(step, { tarball, fixtureSchema, before = () => {} }) {
    if (step.kind === 'run') {
      for (const command of commandsOf(step).map((line) => line.split(TARBALL_IN_README).join(tarball))) {
        await before(command);
        if (command === 'npm run start') await startServer(command);
        else sh(command);
      }
    } else if (step.kind === 'config') {
      const file = path.join(appDir, step.arg);
      fs.writeFileSync(file, insertConfigEntry(fs.readFileSync(file, 'utf8'), step.body));
    } else if (step.kind === 'schema') {
      const schema = JSON.parse(fs.readFileSync(fixtureSchema, 'utf8'));
      fs.writeFileSync(fixtureSchema, JSON.stringify(mergeSchemaOptions(schema, step.body), null, 2));
    } else {
      throw new Error(`unknown README step kind "${step.kind}"`);
    }
  }

  async function http(method, url, { body, token, consent } = {}) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    if (consent) headers['X-Consent-Token'] = consent;
    const response = await fetch(`${BASE_URL}${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    return { status: response.status, headers: response.headers, body: json, text };
  }
  async function ok(method, url, options) {
    const response = await http(method, url, options);
    if (response.status >= 300) throw new Error(`${method} ${url} answered ${response.status}: ${response.text.slice(0, 500)}`);
    return response.body;
  }
  async function login() {
    const registered = await http('POST', '/admin/register-admin', { body: ADMIN });
    if (registered.status < 300) return registered.body.data.token;
    return (await ok('POST', '/admin/login', { body: { email: ADMIN.email, password: ADMIN.password } })).data.token;
  }
  const titles = async (consent) =>
    (await ok('GET', '/api/articles?sort=title', { consent })).data.map((entry) => entry.title);

  let failure = null;
  try {
    const tarball = await timed('pack', () => {
      const name = execSync(`npm pack --ignore-scripts --pack-destination ${JSON.stringify(work)}`, { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop();
      return path.join(work, name);
    });
    await timed('create-strapi-app and npm install', () => {
      if (generated) return execSync(`cp -a ${JSON.stringify(generated)} ${JSON.stringify(appDir)}`);
      execSync(CREATE_APP, { cwd: work, stdio: 'inherit', env: appEnv() });
      sh('npm install --no-audit --no-fund');
    });

    // A content type of the app's own (the README assumes one): articles, with Draft & Publish.
    const fixtureSchema = path.join(appDir, 'src/api/article/content-types/article/schema.json');
    fs.mkdirSync(path.dirname(fixtureSchema), { recursive: true });
    fs.writeFileSync(
      fixtureSchema,
      JSON.stringify(
        {
          kind: 'collectionType',
          collectionName: 'articles',
          info: { singularName: 'article', pluralName: 'articles', displayName: 'Article' },
          options: { draftAndPublish: true },
          attributes: { title: { type: 'string', required: true } },
        },
        null,
        2
      )
    );
    for (const [folder, factory] of [['controllers', 'createCoreController'], ['routes', 'createCoreRouter'], ['services', 'createCoreService']]) {
      fs.mkdirSync(path.join(appDir, 'src/api/article', folder), { recursive: true });
      fs.writeFileSync(
        path.join(appDir, 'src/api/article', folder, 'article.ts'),
        `import { factories } from '@strapi/strapi';\n\nexport default factories.${factory}('${TYPE}');\n`
      );
    }
    const pluginsFile = path.join(appDir, 'config/plugins.ts');
    const generatedPlugins = fs.readFileSync(pluginsFile, 'utf8');

    await timed('install (README)', async () => {
      for (const step of phase('install')) await runStep(step, { tarball, fixtureSchema });
    });
    admin = await login();
    // "Settings → Users & Permissions plugin → Roles → Public": the request that page sends on Save.
    const roles = (await ok('GET', '/users-permissions/roles', { token: admin })).roles;
    const publicRole = roles.find((role) => role.type === 'public');
    await ok('PUT', `/users-permissions/roles/${publicRole.id}`, {
      token: admin,
      body: {
        name: publicRole.name,
        description: publicRole.description,
        permissions: { 'api::article': { controllers: { article: { find: { enabled: true }, findOne: { enabled: true } } } } },
      },
    });

    const cm = `/content-manager/collection-types/${TYPE}`;
    const article = async (title) => {
      const created = (await ok('POST', cm, { token: admin, body: { title } })).data;
      await ok('POST', `${cm}/${created.documentId}/actions/publish`, { token: admin, body: {} });
      return created.documentId;
    };
    const baseId = await article('Base');
    await article('Other');

    await check('the plugin runs in the fresh TypeScript app, with the catalogue from config/plugins.ts', async () => {
      const purposes = (await ok('GET', '/api/personalization/purposes')).data;
      const personalization = purposes.find((purpose) => purpose.key === 'personalization');
      expect(JSON.stringify(personalization).includes('interests'), `the interests attribute is missing: ${JSON.stringify(purposes)}`);
    });

    await check("the README's first request answers with labelled entries", async () => {
      const curl = phase('first').flatMap(commandsOf);
      expect(curl.length === 1, 'the README has one first request');
      const answer = JSON.parse(sh(curl[0], { capture: true }));
      expect(answer.data.length === 2, `two entries expected: ${JSON.stringify(answer)}`);
      expect(answer.data.every((entry) => entry.personalization?.kind === 'base'), `labels missing: ${JSON.stringify(answer)}`);
    });

    const variant = (
      await ok('POST', '/personalization/variants', {
        token: admin,
        body: { contentType: TYPE, baseDocumentId: baseId, name: 'Outdoor fans', key: 'outdoor', kind: 'targeted', audience: { contains: [{ var: 'interests' }, 'outdoor'] } },
      })
    ).data;
    await ok('PUT', `${cm}/${variant.variantDocumentId}`, { token: admin, body: { title: 'For outdoor fans' } });
    await ok('POST', `${cm}/${variant.variantDocumentId}/actions/publish`, { token: admin, body: {} });
    const grant = async () =>
      (await ok('POST', '/api/personalization/consent', { body: { purposes: ['personalization'], attributes: { interests: ['outdoor'] } } })).data.token;
    const consent = await grant();

    await check('without a token a visitor gets the base entry', async () => {
      const entry = (await ok('GET', `/api/articles/${baseId}`)).data;
      expect(entry.title === 'Base' && entry.personalization.reason === 'no-token', JSON.stringify(entry));
      expect((await titles()).join() === 'Base,Other', 'the variant is listed as an entry of its own');
    });

    await check('with a matching consent token a visitor gets the targeted variant, privately', async () => {
      const response = await http('GET', `/api/articles/${baseId}`, { consent });
      expect(response.body.data.title === 'For outdoor fans', JSON.stringify(response.body));
      expect(response.body.data.personalization.reason === 'targeted-match', JSON.stringify(response.body.data.personalization));
      expect(/private/.test(response.headers.get('cache-control') ?? ''), `Cache-Control: ${response.headers.get('cache-control')}`);
    });

    await check('after withdrawal the same token gets the base entry (token-revoked)', async () => {
      const revoked = await grant();
      await ok('DELETE', '/api/personalization/consent', { consent: revoked });
      const entry = (await ok('GET', `/api/articles/${baseId}`, { consent: revoked })).data;
      expect(entry.title === 'Base' && entry.personalization.reason === 'token-revoked', JSON.stringify(entry));
    });

    await stopServer();
    await timed('uninstall (README)', async () => {
      // In words in the README: the opt-in out of the schema and the entry out of config/plugins.ts, before `npm uninstall`.
      const takeOut = (command) => {
        if (!command.startsWith('npm uninstall')) return;
        const schema = JSON.parse(fs.readFileSync(fixtureSchema, 'utf8'));
        delete schema.pluginOptions.personalization;
        fs.writeFileSync(fixtureSchema, JSON.stringify(schema, null, 2));
        const entry = phase('install').find((step) => step.kind === 'config').body;
        fs.writeFileSync(pluginsFile, removeConfigEntry(fs.readFileSync(pluginsFile, 'utf8'), entry));
      };
      for (const step of phase('uninstall')) await runStep(step, { tarball, fixtureSchema, before: takeOut });
    });

    const exported = JSON.parse(fs.readFileSync(path.join(appDir, 'personalization-export.json'), 'utf8'));
    await check('the export taken before the uninstall holds the variant record and the consent records', async () => {
      const counts = Object.fromEntries(Object.entries(exported.tables).map(([name, rows]) => [name, rows.length]));
      expect(counts.variant === 1 && counts['consent-record'] === 3 && counts.revocation === 1, JSON.stringify(counts));
    });

    await check('after the uninstall the app serves every entry, the former variant as an ordinary one', async () => {
      expect((await titles()).join() === 'Base,For outdoor fans,Other', JSON.stringify(await titles()));
      expect((await http('GET', '/api/personalization/purposes')).status === 404, 'the plugin still answers');
      expect(!fs.existsSync(path.join(appDir, 'node_modules/strapi-plugin-personalization')), 'the package is still installed');
    });

    await stopServer();
    await timed('re-enable (README)', async () => {
      // In words in the README: the entry back into config/plugins.ts and the opt-in into the schema (install steps 3 and 4).
      let putBack = false;
      const putBackBeforeBuild = async (command) => {
        if (command !== 'npm run build' || putBack) return;
        putBack = true;
        for (const step of phase('install').filter((s) => s.kind === 'config' || s.kind === 'schema')) {
          await runStep(step, { tarball, fixtureSchema });
        }
      };
      for (const step of phase('reenable')) await runStep(step, { tarball, fixtureSchema, before: putBackBeforeBuild });
      expect(putBack, 'the re-enable steps never build');
    });
    admin = await login();

    await check('after re-enabling every entry is still served, and the former variant is listed as set aside', async () => {
      expect((await titles()).join() === 'Base,For outdoor fans,Other', JSON.stringify(await titles()));
      const report = (await ok('GET', '/personalization/reconcile', { token: admin })).data;
      expect(report.detached.length === 1 && report.detached[0].reason === 'not-a-variant', JSON.stringify(report));
    });

    await check('deleting the former variant through the admin API deletes no entry', async () => {
      const response = await http('DELETE', `/personalization/variants/${variant.documentId}`, { token: admin });
      expect(response.status === 404, `DELETE answered ${response.status}`);
      expect((await ok('GET', `/personalization/variants/${TYPE}/${baseId}`, { token: admin })).data.length === 0, 'a variant is listed');
      expect((await titles()).join() === 'Base,For outdoor fans,Other', JSON.stringify(await titles()));
    });

    await check('linking it again serves it as a variant once more', async () => {
      const relinked = (await ok('POST', '/personalization/reconcile/detached/relink', { token: admin })).data;
      expect(relinked.relinked.length === 1, JSON.stringify(relinked));
      expect((await titles()).join() === 'Base,Other', JSON.stringify(await titles()));
      const entry = (await ok('GET', `/api/articles/${baseId}`, { consent: await grant() })).data;
      expect(entry.title === 'For outdoor fans' && entry.personalization.reason === 'targeted-match', JSON.stringify(entry));
    });
  } catch (error) {
    failure = error;
    log(`setup failed: ${error?.stack ?? error}`);
  } finally {
    await stopServer().catch(() => undefined);
    const durationMs = Date.now() - started;
    const passed = results.filter((result) => result.status === 'passed').length;
    const failed = results.length - passed;
    log(`${passed} passed, ${failed} failed${failure ? ', setup failed' : ''} in ${Math.round(durationMs / 1000)} s ${JSON.stringify(timings)}`);
    if (jsonOut) {
      fs.mkdirSync(path.dirname(jsonOut), { recursive: true });
      fs.writeFileSync(
        jsonOut,
        JSON.stringify(
          {
            numPassedTests: passed,
            numFailedTests: failed,
            numRuntimeErrorTestSuites: failure ? 1 : 0,
            success: !failure && failed === 0,
            durationMs,
            timings,
            testResults: [{ name: 'README install end to end', assertionResults: results, failureMessage: failure ? String(failure?.stack ?? failure) : null }],
          },
          null,
          2
        )
      );
    }
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
    process.exitCode = !failure && failed === 0 ? 0 : 1;
  }
}
