/**
 * Strapi's Preview of an article shows the demo's visitor site, and the plugin's visitor controls in
 * its header make that page render as the chosen visitor gets it: with personalization and the
 * interest "outdoor", the targeted variant; with no consent, the running campaign; at a chosen date,
 * what is served then.
 * Needs `npm run build` and the admin build (`npx strapi build` in playground/).
 */
import { type Browser, type FrameLocator, type Page } from 'playwright-core';
import { adminContext, ARTICLE, browserSession, demoArticleId, logIn, screenshot, watchConsole, type DemoApp } from './demo-app';

const CAMPAIGN_TITLE = 'Winter weekend: five trails with huts that stay open';
const TARGETED_TITLE = 'Five trails for you: longer routes, fewer crowds';
const BASE_TITLE = 'Five trails for a long weekend';
const DAY = 24 * 60 * 60 * 1000;
/** The admin's date field reads en dates (MM/DD/YYYY); the browser and the plugin both use Berlin time. */
const BERLIN_DATE = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' });
const BERLIN_DATE_TIME = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Berlin',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

jest.setTimeout(120_000);

describe('previewing an article as a visitor in Strapi', () => {
  let app: DemoApp;
  let browser: Browser;
  let page: Page;
  let documentId: string;
  const session = browserSession();
  const { consoleErrors } = session;

  const site = (): FrameLocator => page.frameLocator('iframe[data-testid="preview-iframe"]');
  const visitorButton = () => page.getByTestId('personalization-preview-visitor');

  /** Chooses a visitor with personalization and the interest "outdoor" in the preview's visitor dialog. */
  async function previewAsOutdoorFan() {
    await visitorButton().click();
    const dialog = page.getByRole('dialog', { name: 'Preview as a visitor' });
    await dialog.getByRole('checkbox', { name: 'Personalization' }).click();
    await dialog.getByRole('textbox', { name: 'interests' }).fill('outdoor');
    const signed = page.waitForResponse((response) => response.url().endsWith('/personalization/preview'));
    await dialog.getByRole('button', { name: 'Show the page to this visitor' }).click();
    expect((await signed).status()).toBe(200);
  }

  beforeAll(async () => {
    ({ app, browser } = session);
    page = watchConsole(await (await adminContext(browser, app)).newPage(), consoleErrors);
    documentId = await demoArticleId(app);
  });

  it('opens the Preview of an article on the visitor site, as a visitor without consent', async () => {
    await logIn(page, app);

    await page.goto(`${app.baseUrl}/admin/content-manager/collection-types/${ARTICLE}/${documentId}?plugins[i18n][locale]=en`);
    await page.getByRole('link', { name: 'Open preview' }).click();
    await page.waitForURL(new RegExp(`/${documentId}/preview`));
    await site().getByRole('heading', { level: 1, name: CAMPAIGN_TITLE }).waitFor();
    await expect(visitorButton().textContent()).resolves.toBe('Visitor: no consent');
    // In the preview the editor chooses the visitor: the site asks nothing.
    await expect(site().getByRole('region', { name: 'Make this site yours, if you want to' }).isVisible()).resolves.toBe(false);
  });

  it('renders the targeted page for a visitor with personalization and the interest outdoor', async () => {
    await previewAsOutdoorFan();

    await site().getByRole('heading', { level: 1, name: TARGETED_TITLE }).waitFor();
    await site().getByText('Picked for you').waitFor();
    await expect(visitorButton().textContent()).resolves.toBe('Visitor: Personalization + interests: outdoor');
    await screenshot(page, 'preview-visitor');

    // The page's own "Why am I seeing this?" answers for that visitor too.
    await site().locator('.story').getByRole('button', { name: 'Why am I seeing this?' }).click();
    await site().getByText('You see a version picked for you.').waitFor();
    await site().getByRole('button', { name: 'Close' }).click();

    // The explanation stays in the controls: which variant, and why.
    await visitorButton().click();
    const dialog = page.getByRole('dialog', { name: 'Preview as a visitor' });
    await dialog.getByTestId('preview-visitor-decision').getByText('outdoor', { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).first().click();
  });

  it('goes back to the campaign for a visitor without consent', async () => {
    await visitorButton().click();
    const dialog = page.getByRole('dialog', { name: 'Preview as a visitor' });
    await dialog.getByRole('checkbox', { name: 'Personalization' }).click();
    await dialog.getByRole('button', { name: 'Show the page to this visitor' }).click();
    await site().getByRole('heading', { level: 1, name: CAMPAIGN_TITLE }).waitFor();
    await expect(visitorButton().textContent()).resolves.toBe('Visitor: no consent');
  });

  it('previews a date: inside the winter campaign, the targeted page for an outdoor fan and the campaign without consent; after it, the article itself', async () => {
    const dialog = page.getByRole('dialog', { name: 'Preview as a visitor' });
    const chooseDate = async (date: Date) => {
      const input = dialog.getByRole('combobox', { name: 'Choose date' });
      await input.fill(BERLIN_DATE.format(date));
      await input.blur();
    };
    const show = async (): Promise<{ token: string }> => {
      const signed = page.waitForResponse((response) => response.url().endsWith('/personalization/preview'));
      await dialog.getByRole('button', { name: 'Show the page to this visitor' }).click();
      const response = await signed;
      expect(response.status()).toBe(200);
      return (await response.json()).data;
    };
    const decision = () => dialog.getByTestId('preview-visitor-decision');
    // playground/scripts/seed.js runs the campaign from a week before the seed to 60 days after it.
    const inCampaign = new Date(Date.now() + 30 * DAY);
    const afterCampaign = new Date(Date.now() + 90 * DAY);

    await visitorButton().click();
    await dialog.getByRole('checkbox', { name: 'Personalization' }).click();
    await dialog.getByRole('textbox', { name: 'interests' }).fill('outdoor');
    await dialog.getByText('hour and weekday in Europe/Berlin', { exact: false }).waitFor();
    await chooseDate(inCampaign);
    const { token } = await show();
    // The date the editor picked, at midnight in the configured time zone, rides in the token.
    const pat = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).pat;
    expect(BERLIN_DATE_TIME.format(pat)).toBe(`${BERLIN_DATE.format(inCampaign)}, 00:00`);
    await site().getByRole('heading', { level: 1, name: TARGETED_TITLE }).waitFor();
    await expect(visitorButton().textContent()).resolves.toMatch(/^Visitor: Personalization \+ interests: outdoor, on .+ \(Europe\/Berlin\)$/);

    await visitorButton().click();
    await decision().getByText('outdoor', { exact: true }).waitFor();
    await dialog.getByRole('checkbox', { name: 'Personalization' }).click();
    await show();
    await site().getByRole('heading', { level: 1, name: CAMPAIGN_TITLE }).waitFor();
    await expect(visitorButton().textContent()).resolves.toMatch(/^Visitor: no consent, on .+ \(Europe\/Berlin\)$/);

    await visitorButton().click();
    await decision().getByText('winter-campaign', { exact: true }).waitFor();
    await screenshot(page, 'preview-visitor-date');
    await chooseDate(afterCampaign);
    await show();
    await site().getByRole('heading', { level: 1, name: BASE_TITLE }).waitFor();
  });

  it('previews the homepage, a single type, with its featured article chosen for the visitor', async () => {
    await page.goto(`${app.baseUrl}/admin/content-manager/single-types/api::homepage.homepage/preview?plugins[i18n][locale]=en`);
    await site().locator('#featured').getByRole('heading', { name: CAMPAIGN_TITLE }).waitFor();
    await previewAsOutdoorFan();
    await site().locator('#featured').getByRole('heading', { name: TARGETED_TITLE }).waitFor();
  });
});
