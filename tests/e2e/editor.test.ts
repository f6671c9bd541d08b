/**
 * An editor's journey in a real browser: the demo app with the built plugin and admin, driven by
 * Chromium through playwright-core. Every step is asserted, and any console error fails the test
 * but the two 404s Strapi Community Edition causes itself (ENTERPRISE_ONLY_404S).
 * Needs `npm run build` and the admin build (`npx strapi build` in playground/) beforehand.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  adminContext,
  adminToken as loginToken,
  ARTICLE,
  browserSession,
  demoArticleId,
  EDITOR,
  logIn as logInAs,
  screenshot as saveScreenshot,
  watchConsole,
  type DemoApp,
} from './demo-app';

const AUTHOR = { email: 'author.e2e@example.com', password: 'Author-e2e-1' };
const BASE_TITLE = 'Five trails for a long weekend';
const VARIANT_NAME = 'E2E outdoor readers';
const VARIANT_KEY = 'e2e-outdoor-readers';
const VARIANT_TITLE = 'Trails picked for outdoor readers';
const OUTDOOR = { contains: [{ var: 'interests' }, 'outdoor'] };

jest.setTimeout(120_000);

describe('editors in the Strapi admin', () => {
  let app: DemoApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let baseDocumentId: string;
  let variantDocumentId: string;
  let variantId: string;
  const session = browserSession();
  const { consoleErrors } = session;

  const api = (route: string) => `${app.baseUrl}${route}`;

  const adminToken = (credentials: { email: string; password: string }) => loginToken(app, credentials);

  async function adminApi(token: string, method: string, route: string, body?: unknown) {
    const response = await fetch(api(route), {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  /** A page that records console errors; a context whose internet is answered locally (the app runs offline). */
  const newPage = async (target: BrowserContext): Promise<Page> => watchConsole(await target.newPage(), consoleErrors);
  const newContext = () => adminContext(browser, app);
  const logIn = (target: Page, credentials: { email: string; password: string }) => logInAs(target, app, credentials);

  const panel = () => page.getByTestId('personalization-panel');
  const mainMenu = (target: Page) => target.getByRole('navigation').first();
  const screenshot = (name: string, height = 1000) => saveScreenshot(page, name, { height });

  beforeAll(async () => {
    ({ app, browser } = session);
    context = await newContext();
    page = await newPage(context);
    baseDocumentId = await demoArticleId(app);
  });

  it('logs the editor in', async () => {
    await logIn(page, EDITOR);
    await mainMenu(page).getByRole('link', { name: 'Content Manager' }).waitFor();
    await expect(mainMenu(page).getByRole('link', { name: 'Personalization' }).count()).resolves.toBe(1);
  });

  it('opens an article and shows the Personalization panel with its variants in order', async () => {
    await mainMenu(page).getByRole('link', { name: 'Content Manager' }).click();
    await page.getByRole('link', { name: 'Article', exact: true }).click();
    await page.getByText(BASE_TITLE, { exact: true }).click();
    await page.waitForURL(new RegExp(`/${ARTICLE}/${baseDocumentId}`));
    await panel().waitFor();
    await panel().getByText('Base entry: visitors for whom no variant applies see this content.').waitFor();
    const items = panel().getByRole('listitem');
    await items.nth(2).waitFor();
    // Targeted variants first, then mass variants: the order delivery tries them in.
    await expect(items.evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label')))).resolves.toEqual([
      'Outdoor fans',
      'Young adults',
      'Winter weekend campaign',
    ]);
    await items.nth(0).getByText('interests contains “outdoor”').waitFor();
    for (const position of [0, 1, 2]) await items.nth(position).getByText('Live', { exact: true }).waitFor();
    await panel().scrollIntoViewIfNeeded();
    await screenshot('side-panel');
  });

  it('creates a variant from the panel and opens it in the editor', async () => {
    await panel().getByRole('button', { name: 'Create variant' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Name' }).fill(VARIANT_NAME);
    const key = dialog.getByRole('textbox', { name: 'Key' });
    await expect(key.inputValue()).resolves.toBe(VARIANT_KEY);

    // A key the server refuses: its message appears at the key field, named by error.details.field.
    await key.fill('outdoor');
    const refused = page.waitForResponse((response) => response.url().endsWith('/personalization/variants') && response.request().method() === 'POST');
    const logged = page.waitForEvent('console', (message) => message.type() === 'error' && message.location().url.endsWith('/personalization/variants'));
    await dialog.getByRole('button', { name: 'Create variant' }).click();
    expect((await refused).status()).toBe(400);
    // Chrome logs every 4xx response; this one is the refusal the step provokes, and only it is excused.
    expect((await logged).text()).toContain('status of 400');
    consoleErrors.splice(consoleErrors.findIndex((error) => error.includes('/personalization/variants')), 1);
    await dialog.getByText('“outdoor” is already used by another variant of this entry. Choose another key.', { exact: true }).waitFor();
    await expect(key.getAttribute('aria-invalid')).resolves.toBe('true');

    await key.fill(VARIANT_KEY);
    const created = page.waitForResponse((response) => response.url().endsWith('/personalization/variants') && response.request().method() === 'POST');
    await dialog.getByRole('button', { name: 'Create variant' }).click();
    const response = await created;
    expect(response.status()).toBe(201);
    const record = (await response.json()).data;
    variantDocumentId = record.variantDocumentId;
    variantId = record.documentId;
    expect(record).toMatchObject({ key: VARIANT_KEY, kind: 'targeted', baseDocumentId });

    await page.waitForURL(new RegExp(`/${ARTICLE}/${variantDocumentId}`));
    await panel().getByText(`Variant “${VARIANT_NAME}” of a base entry`).waitFor();
    await panel().getByRole('alert').filter({ hasText: 'Not published' }).waitFor();
  });

  it('edits the variant title and publishes it', async () => {
    const title = page.getByRole('textbox', { name: /^title/ });
    await expect(title.inputValue()).resolves.toBe(BASE_TITLE);
    await title.fill(VARIANT_TITLE);
    const published = page.waitForResponse(
      (response) => response.url().includes(`/${variantDocumentId}/actions/publish`) && response.request().method() === 'POST'
    );
    await page.getByRole('button', { name: 'Publish' }).click();
    expect((await published).status()).toBe(200);
    await panel().getByRole('listitem', { name: VARIANT_NAME }).getByText('Live', { exact: true }).waitFor();
    await expect(panel().getByRole('alert').count()).resolves.toBe(0);
  });

  it('gives the variant an audience with the rule builder; consent for it is required and locked', async () => {
    await panel().getByRole('button', { name: `Settings of “${VARIANT_NAME}”` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Add condition' }).click();
    await dialog.getByRole('combobox', { name: 'Attribute' }).click();
    await page.getByRole('option', { name: 'interests (needs personalization)' }).click();
    await dialog.getByRole('combobox', { name: 'Operator' }).click();
    const offered = await page.getByRole('option').allTextContents();
    expect(offered).toEqual(['includes (any case)', 'includes (same case)']);
    await page.getByRole('option', { name: 'includes (any case)', exact: true }).click();
    await dialog.getByRole('textbox', { name: 'Value' }).fill('outdoor');
    const personalization = dialog.getByRole('checkbox', { name: 'Personalization · needed by the audience' });
    await expect(personalization.isChecked()).resolves.toBe(true);
    await expect(personalization.isDisabled()).resolves.toBe(true);
    await screenshot('rule-builder');

    const saved = page.waitForResponse((response) => response.url().endsWith(`/personalization/variants/${variantId}`) && response.request().method() === 'PUT');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    const response = await saved;
    expect(response.status()).toBe(200);
    expect((await response.json()).data).toMatchObject({ audience: OUTDOOR, requiredPurposes: ['personalization'] });
    const item = panel().getByRole('listitem', { name: VARIANT_NAME });
    await item.getByText('interests contains “outdoor”').waitFor();
    await item.getByText(/^Consent:\s*Personalization$/).waitFor();
  });

  it('shows a stored audience in the builder and saves it back unchanged', async () => {
    await panel().getByRole('button', { name: 'Settings of “Young adults”' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('combobox', { name: 'Attribute' }).textContent()).resolves.toContain('ageGroup');
    await expect(dialog.getByRole('textbox', { name: 'Value' }).inputValue()).resolves.toBe('18-24');
    const saved = page.waitForResponse((response) => /\/personalization\/variants\/[^/]+$/.test(response.url()) && response.request().method() === 'PUT');
    await dialog.getByRole('button', { name: 'Save settings' }).click();
    const response = await saved;
    expect(response.status()).toBe(200);
    expect((await response.json()).data.audience).toEqual({ '==': [{ var: 'ageGroup' }, '18-24'] });
  });

  it('moves the variant to the top of the targeted variants', async () => {
    for (const position of [1, 0]) {
      // The panel ignores a move while it saves or reloads: wait until its actions are usable.
      const settings = panel().getByRole('button', { name: `Settings of “${VARIANT_NAME}”` });
      for (let waited = 0; !(await settings.isEnabled()) && waited < 30_000; waited += 100) await page.waitForTimeout(100);
      const reordered = page.waitForResponse((response) => response.url().endsWith('/order') && response.request().method() === 'PUT');
      await panel().getByRole('button', { name: `Move “${VARIANT_NAME}” up` }).click();
      expect((await reordered).status()).toBe(200);
      await page.waitForFunction(
        ([name, index]) => {
          const items = [...document.querySelectorAll('[data-testid="personalization-panel"] li')];
          // In its new place, and the actions usable again (the list reloaded).
          return items[index as number]?.getAttribute('aria-label') === name && items[0].querySelector('[role="switch"]:not([disabled])') !== null;
        },
        [VARIANT_NAME, position]
      );
    }
    await expect(
      panel().getByRole('listitem').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('aria-label')))
    ).resolves.toEqual([VARIANT_NAME, 'Outdoor fans', 'Young adults', 'Winter weekend campaign']);
  });

  it('serves the variant to a visitor whose consent matches, and generic content to everyone else', async () => {
    const granted = await fetch(api('/api/personalization/consent'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ purposes: ['personalization'], attributes: { interests: ['outdoor'] } }),
    });
    expect(granted.status).toBe(201);
    const { token } = (await granted.json()).data;

    const personalized = await fetch(api(`/api/articles/${baseDocumentId}?locale=en`), { headers: { 'X-Consent-Token': token } });
    expect(personalized.status).toBe(200);
    expect(personalized.headers.get('cache-control')).toContain('private');
    const served = (await personalized.json()).data;
    expect(served).toMatchObject({ documentId: baseDocumentId, title: VARIANT_TITLE, personalization: { variant: VARIANT_KEY, kind: 'targeted' } });

    const anonymous = await fetch(api(`/api/articles/${baseDocumentId}?locale=en`));
    expect(anonymous.status).toBe(200);
    const generic = (await anonymous.json()).data;
    expect(generic.documentId).toBe(baseDocumentId);
    expect(generic.title).not.toBe(VARIANT_TITLE);
    expect(generic.personalization.kind).not.toBe('targeted');
    expect(generic.personalization.variant).not.toBe(VARIANT_KEY);
  });

  it('previews the entry as a visitor through a short-lived token, showing which variant and why', async () => {
    await panel().getByRole('button', { name: 'Preview as a visitor' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.getByRole('checkbox', { name: 'Personalization' }).isChecked()).resolves.toBe(true);
    await dialog.getByRole('textbox', { name: 'interests' }).fill('outdoor');
    const previewed = page.waitForResponse((response) => response.url().endsWith('/personalization/preview'));
    await dialog.getByRole('button', { name: 'Preview', exact: true }).click();
    expect((await previewed).status()).toBe(200);
    const result = dialog.getByTestId('preview-result');
    await result.getByText(VARIANT_NAME, { exact: true }).waitFor();
    await result.getByText(VARIANT_TITLE).waitFor();
    // Which variant and why; no token or terminal command for the editor to copy.
    await result.getByText('the audience matches and consent covers it').waitFor();
    await expect(result.getByRole('textbox').count()).resolves.toBe(0);
    expect(await dialog.textContent()).not.toMatch(/curl|X-Consent-Token|eyJ/);
    await screenshot('preview');
    await dialog.getByRole('button', { name: 'Close' }).first().click();
  });

  it('simulates both visitors in the simulator with the same answers', async () => {
    await mainMenu(page).getByRole('link', { name: 'Personalization' }).click();
    await page.getByRole('link', { name: 'Simulator' }).click();
    await page.getByRole('checkbox', { name: 'Personalization' }).click();
    await page.getByRole('textbox', { name: 'interests' }).fill('outdoor');
    const row = page.getByTestId(`simulated-${baseDocumentId}`);

    let simulated = page.waitForResponse((response) => response.url().endsWith('/personalization/simulate'));
    await page.getByRole('button', { name: 'Run simulation' }).click();
    expect((await simulated).status()).toBe(200);
    await row.getByTestId('served-variant').filter({ hasText: VARIANT_NAME }).waitFor();
    await row.getByText('the audience matches and consent covers it').waitFor();
    await page.getByRole('button', { name: 'Run simulation' }).and(page.locator(':enabled')).waitFor();
    await screenshot('simulator', 1500);

    await page.getByRole('checkbox', { name: 'Personalization' }).click();
    simulated = page.waitForResponse((response) => response.url().endsWith('/personalization/simulate'));
    await page.getByRole('button', { name: 'Run simulation' }).click();
    expect((await simulated).status()).toBe(200);
    await row.getByTestId('served-variant').filter({ hasText: 'Winter weekend campaign' }).waitFor();
    await row.getByText(`${VARIANT_NAME}: consent for Personalization is not granted`).waitFor();
  });

  it('disables a variant and deletes another, after confirmation, from the panel', async () => {
    await page.goto(api(`/admin/content-manager/collection-types/${ARTICLE}/${baseDocumentId}?plugins[i18n][locale]=en`));
    const campaign = panel().getByRole('listitem', { name: 'Winter weekend campaign' });
    const toggled = page.waitForResponse((response) => /\/personalization\/variants\/[^/]+$/.test(response.url()) && response.request().method() === 'PUT');
    await campaign.getByRole('switch', { name: 'Enabled: Winter weekend campaign' }).click();
    expect((await toggled).status()).toBe(200);
    await campaign.getByText('Disabled', { exact: true }).waitFor();
    const anonymous = (await (await fetch(api(`/api/articles/${baseDocumentId}?locale=en`))).json()).data;
    expect(anonymous).toMatchObject({ title: BASE_TITLE, personalization: { kind: 'base', variant: null } });

    await panel().getByRole('button', { name: 'Delete “Young adults”' }).click();
    const deleted = page.waitForResponse((response) => response.request().method() === 'DELETE');
    await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
    expect((await deleted).status()).toBe(200);
    await panel().getByRole('listitem', { name: 'Young adults' }).waitFor({ state: 'detached' });
    const token = await adminToken(EDITOR);
    const remaining = await adminApi(token, 'GET', `/personalization/variants/${ARTICLE}/${baseDocumentId}`);
    expect(remaining.body.data.map((record: { key: string }) => record.key)).toEqual([VARIANT_KEY, 'outdoor', 'winter-campaign']);
  });

  it('shows no plugin menu to a role without plugin permissions, and its API answers 403', async () => {
    const admin = await adminToken(EDITOR);
    const roles = await adminApi(admin, 'GET', '/admin/roles');
    const author = roles.body.data.find((role: { code: string }) => role.code === 'strapi-author');
    const invited = await adminApi(admin, 'POST', '/admin/users', {
      firstname: 'Ann',
      lastname: 'Author',
      email: AUTHOR.email,
      roles: [author.id],
    });
    expect(invited.status).toBe(201);
    const registered = await adminApi(admin, 'POST', '/admin/register', {
      registrationToken: invited.body.data.registrationToken,
      userInfo: { firstname: 'Ann', lastname: 'Author', password: AUTHOR.password },
    });
    expect(registered.status).toBe(200);

    const authorToken = await adminToken(AUTHOR);
    expect((await adminApi(authorToken, 'GET', '/personalization/settings')).status).toBe(403);
    expect((await adminApi(authorToken, 'GET', `/personalization/variants/${ARTICLE}/${baseDocumentId}`)).status).toBe(403);
    expect((await adminApi(authorToken, 'POST', '/personalization/simulate', { contentType: ARTICLE })).status).toBe(403);

    const authorContext = await newContext();
    try {
      const authorPage = await newPage(authorContext);
      await logIn(authorPage, AUTHOR);
      await mainMenu(authorPage).getByRole('link', { name: 'Content Manager' }).waitFor();
      await expect(mainMenu(authorPage).getByRole('link').allTextContents()).resolves.not.toContainEqual(expect.stringContaining('Personalization'));
      await expect(mainMenu(authorPage).getByRole('link', { name: 'Personalization' }).count()).resolves.toBe(0);
    } finally {
      await authorContext.close();
    }
  });
});
