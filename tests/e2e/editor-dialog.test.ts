/**
 * The variant dialog and the plugin's words in a real browser: a taken key is refused where the
 * editor can see it, an hour outside 0–23 is refused at its field, a mass variant asks for no
 * consent and reads no personal attribute, and an editor who switches the admin to German reads
 * the plugin in German. Any console error fails the test but the Enterprise-only 404s.
 * Needs `npm run build` and the admin build (`npx strapi build` in playground/) beforehand.
 */
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { adminContext, ARTICLE, browserSession, demoArticleId, logIn, screenshot, watchConsole } from './demo-app';

jest.setTimeout(180_000);

/** True when the element is on screen and nothing covers its centre (a scrolled-away field is covered or outside). */
function inViewport(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    if (rect.height === 0 || rect.top < 0 || rect.bottom > window.innerHeight) return false;
    const top = document.elementFromPoint(rect.left + Math.min(rect.width / 2, 20), rect.top + rect.height / 2);
    return top !== null && (top === element || element.contains(top) || top.contains(element));
  });
}

describe('the variant dialog and the plugin in German', () => {
  const session = browserSession();
  let context: BrowserContext;
  let page: Page;
  let baseDocumentId: string;

  const editView = () => `${session.app.baseUrl}/admin/content-manager/collection-types/${ARTICLE}/${baseDocumentId}?plugins[i18n][locale]=en`;
  const panel = () => page.getByTestId('personalization-panel');
  const dialog = () => page.getByRole('dialog');

  /** Requests to create or change a variant, counted while `during` runs. */
  async function variantWrites(during: () => Promise<void>): Promise<number> {
    let writes = 0;
    const count = (request: { url(): string; method(): string }) => {
      if (/\/personalization\/variants/.test(request.url()) && request.method() !== 'GET') writes += 1;
    };
    page.on('request', count);
    try {
      await during();
    } finally {
      page.off('request', count);
    }
    return writes;
  }

  async function openCreateDialog() {
    await page.goto(editView());
    await panel().getByRole('button', { name: 'Create variant' }).click();
    await dialog().getByRole('textbox', { name: /^Name/ }).waitFor();
  }

  beforeAll(async () => {
    context = await adminContext(session.browser, session.app);
    page = watchConsole(await context.newPage(), session.consoleErrors);
    baseDocumentId = await demoArticleId(session.app);
    await logIn(page, session.app);
  });

  it('shows a taken key next to its field, in view and focused, with a notification', async () => {
    // A laptop-sized window, where the dialog scrolls.
    await page.setViewportSize({ width: 1440, height: 720 });
    await openCreateDialog();
    await dialog().getByRole('textbox', { name: /^Name/ }).fill('Outdoor again');
    const key = dialog().getByRole('textbox', { name: /^Key/ });
    await key.fill('outdoor');
    // The editor has scrolled down to the schedule before creating: the key field is out of view.
    await dialog().getByText('Enabled: may be served').scrollIntoViewIfNeeded();
    await expect(inViewport(key)).resolves.toBe(false);

    const refused = page.waitForResponse((response) => response.url().endsWith('/personalization/variants') && response.request().method() === 'POST');
    const logged = page.waitForEvent('console', (message) => message.type() === 'error' && message.location().url.endsWith('/personalization/variants'));
    await dialog().getByRole('button', { name: 'Create variant' }).click();
    expect((await refused).status()).toBe(400);
    // Chrome logs every 4xx response; this one is the refusal the step provokes, and only it is excused.
    expect((await logged).text()).toContain('status of 400');
    session.consoleErrors.splice(session.consoleErrors.findIndex((error) => error.includes('/personalization/variants')), 1);

    const message = dialog().getByText('“outdoor” is already used by another variant of this entry. Choose another key.', { exact: true });
    await message.waitFor();
    await expect(dialog().getByText(/already used/).count()).resolves.toBe(1);
    await page.getByText('The variant was not created. See the highlighted field.').waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'key');
    await expect(key.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(inViewport(key)).resolves.toBe(true);
    await expect(inViewport(message)).resolves.toBe(true);
    await screenshot(page, 'duplicate-key', { height: 720 });
  });

  it('refuses an hour outside 0–23 at its field and sends nothing', async () => {
    await openCreateDialog();
    await dialog().getByRole('textbox', { name: /^Name/ }).fill('Late readers');
    await dialog().getByRole('button', { name: 'Add condition' }).click();
    await dialog().getByRole('combobox', { name: 'Attribute' }).click();
    await page.getByRole('option', { name: 'Hour (no consent needed)' }).click();
    const hour = dialog().getByRole('textbox', { name: 'Value' });
    await hour.fill('25');
    await dialog().getByText('Hour runs from 0 to 23: 25 is outside.').waitFor();
    await expect(hour.getAttribute('aria-invalid')).resolves.toBe('true');

    const writes = await variantWrites(async () => {
      await dialog().getByRole('button', { name: 'Create variant' }).click();
      await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.value === '25');
    });
    expect(writes).toBe(0);
    await expect(inViewport(hour)).resolves.toBe(true);
    await screenshot(page, 'hour-out-of-range');

    await hour.fill('22');
    await dialog().getByText('Hour runs from 0 to 23: 25 is outside.').waitFor({ state: 'detached' });
    await expect(hour.getAttribute('aria-invalid')).resolves.toBe('false');
  });

  it('asks a mass variant for no consent, offers it only attributes that need none, and says its rule as a sentence', async () => {
    await openCreateDialog();
    await dialog().getByRole('textbox', { name: /^Name/ }).fill('Weekend readers');
    await dialog().getByRole('checkbox', { name: /^Personalization/ }).waitFor();
    await dialog().getByRole('radio', { name: /^Mass/ }).click();
    await dialog().getByText('A mass variant is served to every visitor, with or without consent, so it asks for none.').waitFor();
    await expect(dialog().getByRole('checkbox', { name: /^(Personalization|Marketing|Measurement|Functional|Strictly necessary)/ }).count()).resolves.toBe(0);

    await dialog().getByRole('button', { name: 'Add condition' }).click();
    await dialog().getByRole('combobox', { name: 'Attribute' }).click();
    const offered = await page.getByRole('option').allTextContents();
    expect(offered.length).toBeGreaterThan(0);
    expect(offered.every((option) => option.endsWith('(no consent needed)'))).toBe(true);
    await page.getByRole('option', { name: 'Weekday (no consent needed)' }).click();
    await dialog().getByRole('combobox', { name: 'Operator' }).click();
    await page.getByRole('option', { name: 'is one of' }).click();
    await dialog().getByRole('combobox', { name: 'Value' }).click();
    await page.getByRole('option', { name: 'Saturday' }).click();
    await page.getByRole('option', { name: 'Sunday' }).click();
    await page.keyboard.press('Escape');
    await screenshot(page, 'mass-variant');

    const created = page.waitForResponse((response) => response.url().endsWith('/personalization/variants') && response.request().method() === 'POST');
    await dialog().getByRole('button', { name: 'Create variant' }).click();
    const response = await created;
    expect(response.status()).toBe(201);
    expect((await response.json()).data).toMatchObject({ kind: 'mass', requiredPurposes: [], audience: { in: [{ var: 'weekday' }, [6, 0]] } });
    await page.waitForURL((url) => !url.href.includes(baseDocumentId));
    await panel().getByRole('listitem', { name: 'Weekend readers' }).getByText('Weekday is Saturday or Sunday').waitFor();
  });

  it('offers Deutsch in the profile, and then shows the plugin in German', async () => {
    await page.goto(`${session.app.baseUrl}/admin/me`);
    await page.getByRole('combobox', { name: 'Interface language' }).click();
    await page.getByRole('option', { name: 'Deutsch' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('combobox', { name: 'Sprache der Oberfläche' }).waitFor();

    await page.goto(editView());
    await panel().getByRole('button', { name: 'Variante anlegen' }).waitFor();
    await panel().getByRole('list', { name: 'Für Besucher mit Einwilligung (gezielt, zuerst geprüft)' }).waitFor();
    await panel().getByRole('list', { name: 'Für alle (Masse)' }).waitFor();
    await panel().getByRole('listitem', { name: 'Weekend readers' }).getByText('Wochentag ist Samstag oder Sonntag').waitFor();
    // A targeted variant's consent, with the default purpose's title in German.
    await panel().getByRole('listitem', { name: 'Outdoor fans' }).getByText('Einwilligung:').waitFor();
    await panel().getByRole('listitem', { name: 'Outdoor fans' }).getByText(/Personalisierung/).first().waitFor();
    await expect(panel().getByText('Create variant').count()).resolves.toBe(0);
    await panel().getByRole('button', { name: 'Variante anlegen' }).click();
    await dialog().getByRole('heading', { name: 'Variante anlegen' }).waitFor();
    await dialog().getByRole('checkbox', { name: 'Personalisierung · von jeder zielgerichteten Variante benötigt' }).waitFor();
    await expect(dialog().getByText(/Strictly necessary|needed by every targeted variant/).count()).resolves.toBe(0);
    await dialog().getByRole('radio', { name: /^Für alle/ }).click();
    await dialog().getByTestId('mass-consent-note').getByText(/verlangt daher keine/).waitFor();
    await dialog().getByRole('radio', { name: /^Zielgerichtet/ }).click();
    await screenshot(page, 'dialog-german');
    await dialog().getByRole('button', { name: 'Abbrechen' }).click();

    await page.goto(`${session.app.baseUrl}/admin/plugins/personalization`);
    const entries = page.getByTestId('personalized-entries');
    await entries.getByRole('heading', { name: 'Personalisierte Einträge' }).waitFor();
    const row = entries.getByRole('row', { name: 'Five trails for a long weekend' });
    await row.getByText('Zielgerichtet').first().waitFor();
    await row.getByText('Für alle', { exact: true }).first().waitFor();
    await expect(row.getByText(/^(Targeted|Mass)$/).count()).resolves.toBe(0);

    await page.goto(`${session.app.baseUrl}/admin/plugins/personalization/segments`);
    await page.getByRole('heading', { name: 'Segmente' }).waitFor();
    await page.goto(`${session.app.baseUrl}/admin/plugins/personalization/simulator`);
    await page.getByRole('button', { name: 'Simulation starten' }).waitFor();
    await screenshot(page, 'simulator-german');

    // Strapi 5.54's own German lacks some messages ("content-manager.plugin.name", "search.placeholder",
    // the Blocks editor's), and the demo's content types have no German names; react-intl reports each
    // as a console error. Those are excused here; a missing message of the plugin is not.
    const missing = /MISSING_TRANSLATION\] Missing message: "([^"]+)" for locale "de"/;
    const plugin = session.consoleErrors.filter((error) => missing.exec(error)?.[1].startsWith('personalization.'));
    expect(plugin).toEqual([]);
    const others = session.consoleErrors.filter((error) => !missing.test(error));
    session.consoleErrors.splice(0, session.consoleErrors.length, ...others);
  });
});
