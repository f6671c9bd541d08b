/**
 * The side panel as an editor reads and orders it, in Chromium on the demo app: two lists in the
 * order delivery tries them; a drag and drop within the targeted list that changes what the content
 * API serves; a warning on a variant an earlier one shadows; served counts after content-API
 * requests; a variant's edit view saying which variant it is; the list view marking the entry; the
 * Overview listing it with its variants. Takes the README's screenshots of the panel and the Overview.
 * Needs `npm run build` and the admin build (`npx strapi build` in playground/) beforehand.
 */
import { type BrowserContext, type Page } from 'playwright-core';
import { adminContext, adminToken, ARTICLE, browserSession, demoArticleId, logIn, screenshot, watchConsole, type DemoApp } from './demo-app';

/** Node's fetch says `node`, which the bot list matches: counted visitors use a browser's. */
const BROWSER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const SHADOWED = { name: 'Outdoor readers aged 25–34', key: 'outdoor-25-34' };

jest.setTimeout(120_000);

describe('ordering and reading variants in the side panel', () => {
  let app: DemoApp;
  let context: BrowserContext;
  let page: Page;
  let admin: string;
  let baseDocumentId: string;
  const session = browserSession();

  const api = (route: string) => `${app.baseUrl}${route}`;
  const editView = (documentId = baseDocumentId) => api(`/admin/content-manager/collection-types/${ARTICLE}/${documentId}?plugins[i18n][locale]=en`);
  const panel = () => page.getByTestId('personalization-panel');
  const list = (name: string) => panel().getByRole('list', { name });
  const TARGETED = 'For visitors who consented (targeted, tried first)';
  const MASS = 'For everyone (mass)';
  const names = (name: string) => list(name).getByRole('listitem').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label')));

  async function asAdmin(method: string, route: string, body?: unknown) {
    const response = await fetch(api(route), {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  async function consentToken(attributes: Record<string, unknown>): Promise<string> {
    const response = await fetch(api('/api/personalization/consent'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ purposes: ['personalization'], attributes }),
    });
    expect(response.status).toBe(201);
    return (await response.json()).data.token;
  }

  /** What the content API serves for the demo article; `agent` decides whether it is counted. */
  async function served(token: string | null, agent?: string): Promise<string | null> {
    const headers: Record<string, string> = {};
    if (token) headers['X-Consent-Token'] = token;
    if (agent) headers['User-Agent'] = agent;
    const response = await fetch(api(`/api/articles/${baseDocumentId}?locale=en`), { headers });
    expect(response.status).toBe(200);
    return (await response.json()).data.personalization.variant;
  }

  beforeAll(async () => {
    app = session.app;
    context = await adminContext(session.browser, app);
    page = watchConsole(await context.newPage(), session.consoleErrors);
    baseDocumentId = await demoArticleId(app);
    admin = await adminToken(app);
  });

  it('shows targeted variants first, then mass variants, then the entry itself', async () => {
    await logIn(page, app);
    await page.goto(editView());
    await list(TARGETED).waitFor();
    await expect(names(TARGETED)).resolves.toEqual(['Outdoor fans', 'Young adults']);
    await expect(names(MASS)).resolves.toEqual(['Winter weekend campaign']);
    await panel().getByTestId('panel-otherwise').getByText('Otherwise: this entry').waitFor();
    // The mass campaign is number 1 of its own list, not of the targeted one.
    await list(MASS).getByRole('listitem').first().getByText('1.', { exact: true }).waitFor();
    await list(MASS).getByRole('listitem').first().getByText('Live', { exact: true }).waitFor();
  });

  it('reorders by drag and drop within a list, and the content API serves the new order', async () => {
    const both = await consentToken({ interests: ['outdoor'], ageGroup: '18-24' });
    await expect(served(both)).resolves.toBe('outdoor');

    const young = list(TARGETED).getByRole('listitem', { name: 'Young adults' });
    const outdoor = list(TARGETED).getByRole('listitem', { name: 'Outdoor fans' });
    const reordered = page.waitForResponse((response) => response.url().endsWith('/order') && response.request().method() === 'PUT');
    await young.getByTestId('drag-handle').dragTo(outdoor);
    const answer = await reordered;
    expect(answer.status()).toBe(200);
    expect(JSON.parse(answer.request().postData() ?? '{}')).toEqual({ keys: ['age-18-24', 'outdoor', 'winter-campaign'] });
    await page.waitForFunction(
      (label) => {
        const items = [...document.querySelectorAll(`[data-testid="personalization-panel"] ol[data-list="targeted"] > li`)];
        return items[0]?.getAttribute('aria-label') === label && items[0].querySelector('[role="switch"]:not([disabled])') !== null;
      },
      'Young adults'
    );
    await expect(names(TARGETED)).resolves.toEqual(['Young adults', 'Outdoor fans']);
    await expect(served(both)).resolves.toBe('age-18-24');
  });

  it('warns, without blocking, about a variant an earlier one shadows', async () => {
    const created = await asAdmin('POST', '/personalization/variants', {
      contentType: ARTICLE,
      baseDocumentId,
      name: SHADOWED.name,
      key: SHADOWED.key,
      kind: 'targeted',
      audience: { and: [{ contains: [{ var: 'interests' }, 'outdoor'] }, { '==': [{ var: 'ageGroup' }, '25-34'] }] },
    });
    expect(created.status).toBe(201);
    // Published, so nothing but the earlier variant keeps it from being served (a draft's badge says why already).
    const published = await asAdmin('POST', `/content-manager/collection-types/${ARTICLE}/${created.body.data.variantDocumentId}/actions/publish?locale=en`, {});
    expect(published.status).toBe(200);
    await page.reload();
    const item = list(TARGETED).getByRole('listitem', { name: SHADOWED.name });
    await item.getByTestId('reachability-warnings').getByText(/^Never served: “Outdoor fans” comes first/).waitFor();
    await expect(list(TARGETED).getByRole('listitem', { name: 'Outdoor fans' }).getByTestId('reachability-warnings').count()).resolves.toBe(0);
  });

  it('shows how often each variant was served, and its share, after content-API requests', async () => {
    const outdoorOnly = await consentToken({ interests: ['outdoor'] });
    for (let visit = 0; visit < 3; visit += 1) await expect(served(outdoorOnly, BROWSER_AGENT)).resolves.toBe('outdoor');
    for (let visit = 0; visit < 2; visit += 1) await expect(served(null, BROWSER_AGENT)).resolves.toBe('winter-campaign');
    // Counts are written in batches (every 2 s by default); the admin API has them once written.
    const route = `/personalization/served?contentType=${encodeURIComponent(ARTICLE)}&documentId=${baseDocumentId}`;
    let answer = await asAdmin('GET', route);
    for (let tries = 0; answer.body.data.total < 5 && tries < 40; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await asAdmin('GET', route);
    }
    // The earlier requests said `node`, a bot: not counted.
    expect(answer.body.data.total).toBe(5);

    await page.reload();
    await list(TARGETED).getByRole('listitem', { name: 'Outdoor fans' }).getByText('3 times, 60% of this entry’s responses').waitFor();
    await list(MASS).getByRole('listitem', { name: 'Winter weekend campaign' }).getByText('2 times, 40% of this entry’s responses').waitFor();
    await panel().getByTestId('panel-otherwise').getByText('Served 0 times in the last 7 days (0%).').waitFor();
    await panel().scrollIntoViewIfNeeded();
    await screenshot(page, 'panel-order', { height: 1700 });
  });

  it('says on a variant’s edit view which variant it is, and links back to the base', async () => {
    const records = await asAdmin('GET', `/personalization/variants/${ARTICLE}/${baseDocumentId}`);
    const outdoor = records.body.data.find((record: { key: string }) => record.key === 'outdoor');
    await page.goto(editView(outdoor.variantDocumentId));
    const banner = page.getByTestId('variant-banner');
    await banner.getByText('Variant “Outdoor fans”').waitFor();
    await banner.getByText('Targeted', { exact: true }).waitFor();
    await banner.getByRole('link', { name: 'Open the base entry' }).click();
    await page.waitForURL(new RegExp(`/${ARTICLE}/${baseDocumentId}`));
    await list(TARGETED).waitFor();
    await expect(page.getByTestId('variant-banner').count()).resolves.toBe(0);
  });

  it('marks the entry that has variants in the list view', async () => {
    await page.goto(api(`/admin/content-manager/collection-types/${ARTICLE}?plugins[i18n][locale]=en`));
    // The design system's table gives its header cells the role gridcell.
    await page.locator('th').filter({ hasText: /^Personalization$/ }).waitFor();
    await page.getByTestId('personalized-cell').filter({ hasText: '4 variants, 4 live' }).waitFor();
    await expect(page.getByTestId('personalized-cell').count()).resolves.toBe(1);
  });

  it('lists the entry in the Overview, under its default locale’s title, with its variants in the order they are tried', async () => {
    await page.goto(api('/admin/plugins/personalization'));
    const entries = page.getByTestId('personalized-entries');
    // The demo article has a German localization too; the Overview names it as the Content Manager opens it.
    const row = entries.getByRole('row', { name: 'Five trails for a long weekend' });
    await row.waitFor();
    await expect(entries.getByRole('row', { name: 'Fünf Wege für ein langes Wochenende' }).count()).resolves.toBe(0);
    const lines = row.locator('div[data-status]:has(a)');
    await expect(lines.evaluateAll((nodes) => nodes.map((node) => [node.querySelector('a')?.textContent, node.getAttribute('data-status')]))).resolves.toEqual([
      ['Young adults', 'live'],
      ['Outdoor fans', 'live'],
      [SHADOWED.name, 'live'],
      ['Winter weekend campaign', 'live'],
    ]);
    await row.getByRole('link', { name: 'Outdoor fans' }).waitFor();
    await screenshot(page, 'overview', { height: 1000 });
  });
});
