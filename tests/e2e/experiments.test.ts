/**
 * An experiment in a real browser, from the side panel to promotion: the editor creates it on the
 * demo article with two arms, starts it; visitors who grant measurement read the article and some
 * convert through the content API; the editor reads the results (verdict, chart, figures), sees
 * who is winning in the side panel, stops the experiment and promotes the variant into the base.
 * Any browser console error fails the test but the two Enterprise-only 404s Strapi causes itself.
 * Needs `npm run build` and the admin build (`npx strapi build` in playground/) beforehand.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  adminContext,
  adminToken,
  ARTICLE,
  browserSession,
  demoArticleId,
  logIn,
  screenshot as saveScreenshot,
  watchConsole,
  type DemoApp,
} from './demo-app';

const EXPERIMENT = { name: 'Trail teaser', key: 'trail-teaser' };
const VARIANT_TITLE = 'Five trails for you: longer routes, fewer crowds';
/** The arm variant is targeted, so serving it needs personalization besides measurement. */
const PURPOSES = ['necessary', 'functional', 'personalization', 'measurement'];
const VISITORS = 20;
/** Node's fetch says `node`, which the bot list matches, and bots are not counted: visitors use a browser's. */
const BROWSER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const REQUESTS_PER_VISITOR = 2;

jest.setTimeout(120_000);

describe('an experiment in the Strapi admin', () => {
  let app: DemoApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let admin: string;
  let baseDocumentId: string;
  let experimentId: string;
  const session = browserSession();
  const { consoleErrors } = session;
  /** What the test sent per arm: exposures, visitors and converters. */
  const sent: Record<string, { exposures: number; visitors: number; converters: number }> = {
    control: { exposures: 0, visitors: 0, converters: 0 },
    outdoor: { exposures: 0, visitors: 0, converters: 0 },
  };

  const api = (route: string) => `${app.baseUrl}${route}`;
  const editView = () => api(`/admin/content-manager/collection-types/${ARTICLE}/${baseDocumentId}?plugins[i18n][locale]=en`);
  const panel = () => page.getByTestId('personalization-panel');

  async function json(route: string, init: RequestInit = {}) {
    const response = await fetch(api(route), init);
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  const asAdmin = (route: string) => json(route, { headers: { authorization: `Bearer ${admin}` } });

  const screenshot = (name: string, height = 1000) => saveScreenshot(page, name, { height });

  /** Answers a ConfirmDialog that `trigger` opens, and returns the response to the request it sends. */
  async function confirmed(trigger: () => Promise<void>, url: (href: string) => boolean) {
    await trigger();
    const answer = page.waitForResponse((response) => url(response.url()) && response.request().method() === 'POST');
    await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    return answer;
  }

  beforeAll(async () => {
    ({ app, browser } = session);
    context = await adminContext(browser, app);
    page = watchConsole(await context.newPage(), consoleErrors);
    baseDocumentId = await demoArticleId(app);
    admin = await adminToken(app);
  });

  it('creates an experiment with two arms from the side panel', async () => {
    await logIn(page, app);

    await page.goto(editView());
    const section = panel().getByTestId('experiments-panel');
    await section.getByText('Experiments (0)').waitFor();
    await section.getByRole('button', { name: 'Create experiment' }).click();
    await page.waitForURL(/\/admin\/plugins\/personalization-experiments\?/);

    const dialog = page.getByRole('dialog');
    await dialog.getByText('On this Article entry.').waitFor();
    // Submitting the empty form names what is missing and sends nothing.
    await dialog.getByRole('button', { name: 'Create experiment' }).click();
    await dialog.getByText('Give the experiment a name.').waitFor();
    await dialog.getByText('Choose what each arm serves: the base entry or one of its variants.').waitFor();

    await dialog.getByRole('textbox', { name: /^Name/ }).fill(EXPERIMENT.name);
    await expect(dialog.getByRole('textbox', { name: 'Key', exact: true }).inputValue()).resolves.toBe(EXPERIMENT.key);
    await dialog.getByRole('combobox', { name: 'What arm 2 serves' }).click();
    await page.getByRole('option', { name: 'Outdoor fans' }).click();
    await expect(dialog.getByRole('textbox', { name: 'Key of arm 2' }).inputValue()).resolves.toBe('outdoor');
    await dialog.getByRole('textbox', { name: /^Goals/ }).fill('signup');
    await screenshot('experiments-create', 1200);

    const created = page.waitForResponse((response) => response.url().endsWith('/personalization/experiments') && response.request().method() === 'POST');
    await dialog.getByRole('button', { name: 'Create experiment' }).click();
    const response = await created;
    expect(response.status()).toBe(201);
    const experiment = (await response.json()).data;
    experimentId = experiment.documentId;
    expect(experiment).toMatchObject({
      key: EXPERIMENT.key,
      status: 'draft',
      contentType: ARTICLE,
      baseDocumentId,
      arms: [
        { key: 'control', variant: null, weight: 0.5 },
        { key: 'outdoor', variant: 'outdoor', weight: 0.5 },
      ],
      coverage: 1,
      goals: ['signup'],
    });
    await page.waitForURL(new RegExp(`/personalization-experiments/${experimentId}$`));
    await page.getByRole('heading', { name: EXPERIMENT.name }).waitFor();
    await page.getByText('Draft', { exact: true }).waitFor();
  });

  it('starts it after a confirmation', async () => {
    const started = await confirmed(
      () => page.getByRole('button', { name: 'Start' }).click(),
      (url) => url.endsWith(`/personalization/experiments/${experimentId}/start`)
    );
    expect(started.status()).toBe(200);
    await page.getByText('Running', { exact: true }).waitFor();
  });

  it('gives visitors with measurement their arm, and counts their exposures and conversions', async () => {
    for (let visitor = 0; visitor < VISITORS; visitor += 1) {
      const consent = await json('/api/personalization/consent', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'User-Agent': BROWSER_AGENT },
        body: JSON.stringify({ purposes: PURPOSES, attributes: {} }),
      });
      expect(consent.status).toBe(201);
      const headers = { 'X-Consent-Token': consent.body.data.token, 'User-Agent': BROWSER_AGENT };
      let arm: string | undefined;
      for (let request = 0; request < REQUESTS_PER_VISITOR; request += 1) {
        const article = await json(`/api/articles/${baseDocumentId}?locale=en`, { headers });
        expect(article.status).toBe(200);
        expect(article.body.data.personalization).toMatchObject({ reason: 'experiment', experiment: EXPERIMENT.key });
        // Sticky: the same arm on every request.
        arm ??= article.body.data.personalization.arm;
        expect(article.body.data.personalization.arm).toBe(arm);
        sent[arm!].exposures += 1;
      }
      // The variant converts two visitors in three, the base one in three (its first one included).
      const ordinal = sent[arm!].visitors;
      sent[arm!].visitors += 1;
      const converts = arm === 'outdoor' ? ordinal % 3 !== 0 : ordinal % 3 === 0;
      if (converts) {
        const event = await json('/api/personalization/events', {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'conversion', goal: 'signup' }),
        });
        expect(event).toEqual({ status: 202, body: { data: { counted: true, reason: 'counted' } } });
        sent[arm!].converters += 1;
      }
    }
    expect(sent.control.visitors).toBeGreaterThan(0);
    expect(sent.outdoor.visitors).toBeGreaterThan(0);

    // Counts reach the database in the next flush (at most 5 s): ask until every exposure is there.
    const deadline = Date.now() + 30_000;
    let results = (await asAdmin(`/personalization/experiments/${experimentId}/results`)).body.data.results;
    while (results.overall.exposures < VISITORS * REQUESTS_PER_VISITOR && Date.now() < deadline) {
      await page.waitForTimeout(500);
      results = (await asAdmin(`/personalization/experiments/${experimentId}/results`)).body.data.results;
    }
    for (const arm of results.arms) {
      expect(arm.exposures).toBe(sent[arm.key].exposures);
      expect(arm.goals.signup.conversions).toBe(sent[arm.key].converters);
      // Tiny counts are exact in the sketch's sparse form.
      expect(arm.visitors).toBe(sent[arm.key].visitors);
      expect(arm.goals.signup.converters).toBe(sent[arm.key].converters);
    }
  });

  it('shows the results: verdict, each arm’s rate over days with its band, and the figures', async () => {
    await page.reload();
    const results = page.getByTestId('experiment-results');
    const verdict = results.getByTestId('experiment-verdict');
    // The arms are named once the base's variants have loaded (a separate request); until then by key.
    await verdict.getByText(/^Variant “Outdoor fans”/).waitFor();
    await expect(verdict.textContent()).resolves.toMatch(
      /^Variant “Outdoor fans” converts \d+% (better|worse) than the base; \d+% probability it is better; keep running until [\d,]+ visitors per arm\.$/
    );
    const chart = results.getByTestId('experiment-chart');
    // A point per arm and day, each with its interval as an error bar; the bands join the days.
    await chart.locator('.recharts-line-dot').nth(1).waitFor();
    await expect(chart.locator('.recharts-errorBars').count()).resolves.toBe(2);
    await expect(chart.locator('.recharts-area').count()).resolves.toBe(2);
    const rows = results.getByRole('row');
    await expect(rows.count()).resolves.toBe(3);
    for (const [position, key] of [[1, 'control'], [2, 'outdoor']] as const) {
      const cells = await rows.nth(position).getByRole('gridcell').allTextContents();
      expect(cells.slice(1, 4)).toEqual([String(sent[key].visitors), String(sent[key].exposures), String(sent[key].converters)]);
    }
    await expect(page.getByTestId('experiment-srm').count()).resolves.toBe(0);
    await screenshot('experiments-results', 1700);
  });

  it('shows the running experiment and who is winning in the side panel', async () => {
    await page.goto(editView());
    const section = panel().getByTestId('experiments-panel');
    await section.getByText('Experiments (1)').waitFor();
    const item = section.getByRole('region', { name: EXPERIMENT.name });
    await item.getByText('Running', { exact: true }).waitFor();
    await item.getByText('The base 50% · Variant “Outdoor fans” 50%').waitFor();
    await expect(item.getByTestId('experiment-winning').textContent()).resolves.toMatch(/^Variant “Outdoor fans” converts .* probability it is better; /);
    await section.scrollIntoViewIfNeeded();
    await screenshot('experiments-panel');
  });

  it('stops it, promotes the variant, and the base draft holds the variant’s content', async () => {
    await page.goto(api(`/admin/plugins/personalization-experiments/${experimentId}`));
    const stopped = await confirmed(
      () => page.getByRole('button', { name: 'Stop' }).click(),
      (url) => url.endsWith(`/personalization/experiments/${experimentId}/stop`)
    );
    expect(stopped.status()).toBe(200);
    await page.getByText('Stopped', { exact: true }).first().waitFor();

    await page.getByRole('button', { name: 'Promote an arm' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByRole('radio', { name: 'Variant “Outdoor fans”' }).click();
    await dialog.getByText('The content of variant “Outdoor fans” is copied into the base entry as a new draft in every locale').waitFor();
    const promoted = page.waitForResponse(
      (response) => response.url().endsWith(`/personalization/experiments/${experimentId}/promote`) && response.request().method() === 'POST'
    );
    await dialog.getByRole('button', { name: 'Promote' }).click();
    const response = await promoted;
    expect(response.status()).toBe(200);
    expect((await response.json()).data).toMatchObject({ status: 'stopped', promotedArm: 'outdoor', copiedLocales: expect.arrayContaining(['en']) });
    await page.getByText('Promoted: outdoor', { exact: true }).waitFor();

    const base = await asAdmin(`/content-manager/collection-types/${ARTICLE}/${baseDocumentId}?locale=en`);
    expect(base.body.data.title).toBe(VARIANT_TITLE);
  });
});
