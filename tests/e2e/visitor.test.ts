/**
 * A visitor's journey on the demo's visitor site (playground/public), in Chromium: first visit with
 * the consent banner and generic content, consent with an interest, the targeted article and the
 * homepage featuring it, "Why am I seeing this?", "What do you know about me?", withdrawal and
 * generic content again. Any browser console error fails the test.
 * Needs `npm run build` and the admin build (`npx strapi build` in playground/), as `npm run demo` does.
 */
import { type Browser, type Page } from 'playwright-core';
import { browserSession, demoArticleId, screenshot as saveScreenshot, watchConsole, type DemoApp } from './demo-app';

const CAMPAIGN_TITLE = 'Winter weekend: five trails with huts that stay open';
const TARGETED_TITLE = 'Five trails for you: longer routes, fewer crowds';

jest.setTimeout(120_000);

describe('a visitor on the demo site', () => {
  const session = browserSession();
  const { consoleErrors } = session;
  let app: DemoApp;
  let browser: Browser;
  let page: Page;
  let documentId: string;

  const featured = () => page.locator('#featured article');
  const banner = () => page.getByRole('region', { name: 'Make this site yours, if you want to' });
  const tokenCookie = async () => (await page.context().cookies()).find((cookie) => cookie.name === 'personalization_token');

  const screenshot = (name: string, height = 900) => saveScreenshot(page, name, { width: 1280, height, restoreHeight: 900 });

  beforeAll(async () => {
    ({ app, browser } = session);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'Europe/Berlin' });
    await context.route((url) => !url.href.startsWith(app.baseUrl), (route) => route.abort());
    page = watchConsole(await context.newPage(), consoleErrors, { excuseEnterprise404s: false });
    documentId = await demoArticleId(app);
  });

  it('first visit: the banner asks from GET /purposes, and everyone gets the campaign', async () => {
    await page.goto(`${app.baseUrl}/`);
    await page.locator('body[data-ready=true]').waitFor();
    await banner().waitFor();
    const personalization = banner().locator('[data-purpose=personalization]');
    await personalization.getByText('Shows content chosen for you from what you decided to share.').waitFor();
    await personalization.getByText('Used on this site now').waitFor();
    await personalization.getByText('Lets the site use your interests, your age group, your country, only if you share them.').waitFor();
    await banner().locator('[data-purpose=marketing]').getByText('Not used right now').waitFor();
    await expect(banner().getByRole('checkbox', { name: 'Strictly necessary' }).isDisabled()).resolves.toBe(true);
    await expect(banner().getByRole('checkbox', { name: 'Personalization' }).isChecked()).resolves.toBe(false);

    await expect(featured().getByRole('heading').textContent()).resolves.toBe(CAMPAIGN_TITLE);
    await featured().getByText('This season').waitFor();
    expect(await tokenCookie()).toBeUndefined();
    await screenshot('visitor-first-visit', 1400);
  });

  it('consents to personalization with an interest and gets the targeted article, featured on the homepage', async () => {
    await banner().getByRole('checkbox', { name: 'Personalization' }).check();
    await banner().getByRole('checkbox', { name: 'The outdoors' }).check();
    const granted = page.waitForResponse((response) => response.url().endsWith('/api/personalization/consent') && response.request().method() === 'POST');
    await banner().getByRole('button', { name: 'Save my choices' }).click();
    const response = await granted;
    expect(response.status()).toBe(201);
    // Purposes and attributes go in the body; nothing personal reaches a URL.
    expect(JSON.parse(response.request().postData()!)).toEqual({ purposes: ['necessary', 'personalization'], attributes: { interests: ['outdoor'] } });
    expect(response.url()).toBe(`${app.baseUrl}/api/personalization/consent`);

    await banner().waitFor({ state: 'hidden' });
    await featured().getByRole('heading', { name: TARGETED_TITLE }).waitFor();
    await featured().getByText('Picked for you').waitFor();
    expect((await tokenCookie())?.value.split('.')).toHaveLength(3);
    await screenshot('visitor-personalized-home');

    await featured().getByRole('link', { name: TARGETED_TITLE }).click();
    await page.waitForURL(`${app.baseUrl}/articles/${documentId}`);
    await page.getByRole('heading', { level: 1, name: TARGETED_TITLE }).waitFor();
    await page.getByText('Because you told us you love the outdoors.').waitFor();
  });

  it('answers "Why am I seeing this?" from /explain', async () => {
    const explained = page.waitForResponse((response) => response.url().includes('/api/personalization/explain/'));
    await page.locator('.story').getByRole('button', { name: 'Why am I seeing this?' }).click();
    expect((await explained).status()).toBe(200);
    const dialog = page.getByRole('dialog', { name: 'Why am I seeing this?' });
    await dialog.getByText('You see a version picked for you.').waitFor();
    await dialog.getByText('It matches what you chose to share, and you consented to personalization.').waitFor();
    await dialog.getByText('your interests', { exact: true }).waitFor();
    await expect(dialog.textContent()).resolves.not.toMatch(/null|undefined/);
    await screenshot('visitor-why');
    await dialog.getByRole('button', { name: 'Close' }).click();
  });

  it('shows what the site knows from GET /consent', async () => {
    await page.getByRole('button', { name: 'What do you know about me?' }).click();
    const dialog = page.getByRole('dialog', { name: 'What do you know about me?' });
    await expect(dialog.locator('#me-purposes').textContent()).resolves.toBe('Strictly necessary, Personalization');
    await expect(dialog.locator('#me-attributes').textContent()).resolves.toBe('your interests: The outdoors');
    await expect(dialog.textContent()).resolves.not.toMatch(/null|undefined/);
    await screenshot('visitor-about-me');
  });

  it('withdraws, and the same page is generic again at once', async () => {
    const dialog = page.getByRole('dialog', { name: 'What do you know about me?' });
    const withdrawn = page.waitForResponse((response) => response.url().endsWith('/api/personalization/consent') && response.request().method() === 'DELETE');
    await dialog.getByRole('button', { name: 'Withdraw my consent' }).click();
    expect((await withdrawn).status()).toBe(204);
    await page.getByRole('heading', { level: 1, name: CAMPAIGN_TITLE }).waitFor();
    await page.getByRole('status').getByText('Consent withdrawn.', { exact: false }).waitFor();
    expect(await tokenCookie()).toBeUndefined();
    await screenshot('visitor-withdrawn');

    await page.getByRole('link', { name: '← All stories' }).click();
    await featured().getByRole('heading', { name: CAMPAIGN_TITLE }).waitFor();
    // The choice is remembered: no banner again after a reload, and still generic content.
    await page.reload();
    await page.locator('body[data-ready=true]').waitFor();
    await featured().getByRole('heading', { name: CAMPAIGN_TITLE }).waitFor();
    await expect(banner().isVisible()).resolves.toBe(false);
  });

  it('rejects all without asking the server for anything, and accepts all with every purpose', async () => {
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await other.route((url) => !url.href.startsWith(app.baseUrl), (route) => route.abort());
    const visitor = await other.newPage();
    visitor.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
    const consentCalls: string[] = [];
    visitor.on('request', (request) => {
      if (request.url().endsWith('/api/personalization/consent')) consentCalls.push(request.method());
    });
    try {
      await visitor.goto(`${app.baseUrl}/`);
      const otherBanner = visitor.getByRole('region', { name: 'Make this site yours, if you want to' });
      await otherBanner.getByRole('button', { name: 'Reject all' }).click();
      await otherBanner.waitFor({ state: 'hidden' });
      await visitor.locator('#featured').getByRole('heading', { name: CAMPAIGN_TITLE }).waitFor();
      expect(consentCalls).toEqual([]);
      expect((await other.cookies()).map((cookie) => cookie.name)).not.toContain('personalization_token');

      await visitor.getByRole('button', { name: 'Privacy choices' }).click();
      const granted = visitor.waitForResponse((response) => response.url().endsWith('/api/personalization/consent') && response.request().method() === 'POST');
      await otherBanner.getByRole('button', { name: 'Accept all' }).click();
      expect(JSON.parse((await granted).request().postData()!)).toEqual({
        purposes: ['necessary', 'functional', 'personalization', 'measurement', 'marketing'],
        attributes: {},
      });
      // Consent without an interest: nothing to match, so still the campaign.
      await otherBanner.waitFor({ state: 'hidden' });
      await visitor.locator('#featured').getByRole('heading', { name: CAMPAIGN_TITLE }).waitFor();
      expect((await other.cookies()).map((cookie) => cookie.name)).toContain('personalization_token');
    } finally {
      await other.close();
    }
  });
});
