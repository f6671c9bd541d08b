/**
 * The demo app (`playground/scripts/demo.js`, the built plugin and admin) in a child process on
 * a free port with its own SQLite file, for browser tests; and what every browser test shares:
 * Chromium, an admin browser context that stays offline, console error capture and the login.
 */
import { spawn, type ChildProcess } from 'child_process';
import fs from 'fs';
import net from 'net';
import path from 'path';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

const ROOT = path.resolve(__dirname, '../..');
const PLAYGROUND = path.join(ROOT, 'playground');

export interface DemoApp {
  baseUrl: string;
  /** Everything the app printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/** Starts the demo and resolves once it answers; rejects with its output if it stops first. */
export async function startDemoApp(timeoutMs: number): Promise<DemoApp> {
  const port = await freePort();
  const database = `.tmp/e2e-${process.pid}-${port}.db`;
  const baseUrl = `http://127.0.0.1:${port}`;
  let log = '';
  // The caller has built the plugin and the admin (see the README's Tests): no build inside the start-up time.
  const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: String(port), DEMO_DB: database, DATABASE_CLIENT: 'sqlite', DEMO_NO_BUILD: '1' };
  // Settings the integration tests export would point the app elsewhere: the demo is the
  // packaged plugin (dist through the exports map) on its own SQLite file.
  for (const name of ['PERSONALIZATION_PLUGIN_PATH', 'PERSONALIZATION_CONFIG', 'DATABASE_FILENAME', 'NODE_ENV']) delete env[name];
  const child = spawn(process.execPath, [path.join(PLAYGROUND, 'scripts/demo.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (log += chunk));
  child.stderr!.on('data', (chunk) => (log += chunk));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(killer);
    }
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(path.join(PLAYGROUND, database + suffix), { force: true });
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the demo app exited with ${child.exitCode} before it answered:\n${log}`);
    }
    if (log.includes('Personalization demo is running')) {
      try {
        const health = await fetch(`${baseUrl}/_health`);
        if (health.status < 500) return { baseUrl, output: () => log, stop };
      } catch {
        // Not listening yet.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stop();
  throw new Error(`the demo app did not answer within ${timeoutMs} ms:\n${log}`);
}

/** Where the README's screenshots are written. */
export const SCREENSHOTS = path.join(__dirname, 'screenshots');
/** The demo's editor (playground/scripts/seed). */
export const EDITOR = { email: 'editor@example.com', password: 'Editor-demo-1' };
export const ARTICLE = 'api::article.article';

/** Debian's Chromium through playwright-core, headless; no browser is downloaded. */
export function launchChromium(): Promise<Browser> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * The only console errors excused: two 404s that a Strapi 5.54 Community Edition admin causes on
 * every edit view, whatever the app's configuration. Its client asks for Enterprise AI endpoints
 * without checking whether AI is available, and the server answers 404 unless the licence has the
 * `cms-ai` feature (`strapi.ai.admin.isEnabled()`, @strapi/admin server/src/ai/services/ai.ts:22-23).
 * - @strapi/content-manager admin/src/hooks/useDocumentActions.ts:205 calls
 *   `useGetAiFeatureConfigQuery()` without `skip`; @strapi/admin server/src/ai/controllers/ai.ts:45.
 * - @strapi/i18n admin/src/components/CMHeaderActions.tsx:156 and
 *   hooks/useAILocalizationJobsPolling.ts:35 ask for the entry's AI translation job without `skip`;
 *   server/src/controllers/ai-localization-jobs.ts:14 and :41.
 * Any other status on these URLs, or any other error, fails the test.
 */
export const ENTERPRISE_ONLY_404S: RegExp[] = [
  /\/admin\/ai-feature-config$/,
  /\/i18n\/ai-localization-jobs\/(collection-types\/[^/?]+\/[^/?]+|single-types\/[^/?]+)$/,
];

/**
 * Records the page's console errors and page errors into `errors`; with `excuseEnterprise404s`,
 * the two 404s above are left out (admin pages).
 */
export function watchConsole(page: Page, errors: string[], { excuseEnterprise404s = true } = {}): Page {
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    const where = message.location().url;
    if (excuseEnterprise404s && message.text().includes('status of 404 (Not Found)') && ENTERPRISE_ONLY_404S.some((url) => url.test(where))) return;
    errors.push(`${message.text()} (${where})`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  return page;
}

/**
 * A browser context for the admin at 1440×1000 in Berlin time. Strapi's admin phones home
 * (telemetry, GitHub releases) and the test machine has no internet, so every other host is
 * answered locally; the guided tour, which would cover the page on a fresh profile, is off.
 */
export async function adminContext(browser: Browser, app: DemoApp): Promise<BrowserContext> {
  const created = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'en-US', timezoneId: 'Europe/Berlin' });
  await created.route(
    (url) => !url.href.startsWith(app.baseUrl),
    (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: route.request().url().includes('api.github.com') ? '{"tag_name":"v5.54.0"}' : '{}',
      })
  );
  await created.addInitScript(() =>
    localStorage.setItem('STRAPI_GUIDED_TOUR', JSON.stringify({ tours: {}, enabled: false, hidden: true, completedActions: [] }))
  );
  return created;
}

/** Logs into the admin through its login form and waits to leave the auth pages. */
export async function logIn(page: Page, app: DemoApp, credentials: { email: string; password: string } = EDITOR): Promise<void> {
  await page.goto(`${app.baseUrl}/admin/auth/login`);
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL((url) => !url.pathname.includes('/auth/'));
}

/** An admin API token for `credentials` through POST /admin/login; throws on any other status than 200. */
export async function adminToken(app: DemoApp, credentials: { email: string; password: string } = EDITOR): Promise<string> {
  const response = await fetch(`${app.baseUrl}/admin/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  if (response.status !== 200) throw new Error(`admin login as ${credentials.email}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { data: { token: string } }).data.token;
}

/** The documentId of the demo's article "five-trails". */
export async function demoArticleId(app: DemoApp): Promise<string> {
  const articles = (await (await fetch(`${app.baseUrl}/api/articles?locale=en&filters[slug][$eq]=five-trails`)).json()) as { data: { documentId: string }[] };
  return articles.data[0].documentId;
}

/** A full-width screenshot into SCREENSHOTS; Strapi scrolls inside its layout, so a taller window shows more of a long page. */
export async function screenshot(page: Page, name: string, { width = 1440, height = 1000, restoreHeight = 1000 } = {}): Promise<void> {
  await page.setViewportSize({ width, height });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  await page.setViewportSize({ width, height: restoreHeight });
}

/** What the shared hooks of a browser test give it once `beforeAll` has run. */
export interface BrowserSession {
  app: DemoApp;
  browser: Browser;
  /** Console and page errors not excused; each test must leave it empty. */
  consoleErrors: string[];
}

/**
 * Registers the hooks every browser test shares, to call inside its `describe` before its own:
 * the demo app and Chromium start before all tests and stop after them, and a test that leaves a
 * console error fails. The fields are filled in when the first hook has run.
 */
export function browserSession(): BrowserSession {
  const session = { consoleErrors: [] as string[] } as BrowserSession;
  beforeAll(async () => {
    session.app = await startDemoApp(600_000);
    session.browser = await launchChromium();
  }, 900_000);
  afterAll(async () => {
    await session.browser?.close();
    await session.app?.stop();
  });
  afterEach(() => {
    expect(session.consoleErrors.splice(0)).toEqual([]);
  });
  return session;
}
