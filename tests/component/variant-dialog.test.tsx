/**
 * The variant dialog in jsdom: a mass variant asks for no consent and offers only attributes that
 * need none, while one saved with purposes keeps them until the editor removes them; a refused save says so once, in the editor's language, next to the field, which is
 * scrolled to and focused, with a notification.
 */
import { act, render, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { DesignSystemProvider } from '@strapi/design-system';
import { IntlProvider } from 'react-intl';
import type { VariantRecord } from '../../admin/src/api';
import { VariantDialog } from '../../admin/src/components/VariantDialog';
import de from '../../admin/src/translations/de.json';
import { settingsWith, THREE_PURPOSES } from '../fixtures/admin-settings';
import { FetchError, answerGets, fetchClient, resetStrapiAdmin, toggleNotification } from './strapi-admin-mock';

jest.mock('@strapi/strapi/admin', () => jest.requireActual('./strapi-admin-mock').strapiAdmin);
// Each test clicks through Radix menus in jsdom: slow on a loaded machine.
jest.setTimeout(300_000);

const SETTINGS = settingsWith({ purposes: THREE_PURPOSES, contentTypes: [] });
const ARTICLE = { uid: 'api::article.article', displayName: 'Article', kind: 'collectionType' as const, localized: false, draftAndPublish: true, mainField: 'title' };

const VARIANT: VariantRecord = {
  id: 1,
  documentId: 'v1',
  name: 'Outdoor fans',
  key: 'outdoor',
  contentType: ARTICLE.uid,
  baseDocumentId: 'base1',
  variantDocumentId: 'doc-v1',
  kind: 'targeted',
  audience: { contains: [{ var: 'interests' }, 'outdoor'] },
  segments: [],
  requiredPurposes: ['personalization'],
  priority: 0,
  startsAt: null,
  endsAt: null,
  enabled: true,
  locales: null,
};

const GERMAN = Object.fromEntries(Object.entries(de).map(([id, text]) => [`personalization.${id}`, text]));

let scrolledTo: Element[] = [];
beforeEach(() => {
  resetStrapiAdmin();
  answerGets({ '/personalization/segments': [] });
  scrolledTo = [];
  jest.spyOn(Element.prototype, 'scrollIntoView').mockImplementation(function (this: Element) {
    scrolledTo.push(this);
  });
});
afterEach(() => jest.mocked(Element.prototype.scrollIntoView).mockRestore());

function renderDialog({ variant, locale = 'en' }: { variant?: VariantRecord; locale?: 'en' | 'de' } = {}) {
  const onSaved = jest.fn();
  const user = userEvent.setup({ delay: null });
  render(
    <IntlProvider locale={locale} messages={locale === 'de' ? GERMAN : {}}>
      <DesignSystemProvider locale={locale}>
        <VariantDialog open onOpenChange={() => undefined} contentType={ARTICLE} baseDocumentId="base1" variant={variant} settings={SETTINGS} onSaved={onSaved} />
      </DesignSystemProvider>
    </IntlProvider>
  );
  return { user, onSaved };
}

const dialog = () => screen.getByRole('dialog');

describe('a mass variant', () => {
  it('hides the consent boxes and offers only attributes that need no consent', async () => {
    const { user } = renderDialog();
    expect(within(dialog()).getAllByRole('checkbox', { name: /^Personalization/ })).toHaveLength(1);

    await user.click(within(dialog()).getByRole('radio', { name: /^Mass/ }));
    expect(within(dialog()).queryByRole('checkbox', { name: /^Personalization|^Marketing|^Strictly necessary/ })).toBeNull();
    expect(screen.getByTestId('mass-consent-note').textContent).toContain('asks for none');

    await user.click(within(dialog()).getByRole('button', { name: 'Add condition' }));
    await user.click(within(dialog()).getByRole('combobox', { name: 'Attribute' }));
    const offered = (await screen.findAllByRole('option')).map((option) => option.textContent);
    expect(offered).toEqual(['Date and time (no consent needed)', 'Weekday (no consent needed)', 'Hour (no consent needed)', 'Locale (no consent needed)']);
  });

  it('sends no consent requirement', async () => {
    const { user } = renderDialog();
    fetchClient.post.mockResolvedValue({ data: { data: { ...VARIANT, kind: 'mass' } } });
    await user.type(within(dialog()).getByRole('textbox', { name: /^Name/ }), 'Weekend');
    await user.click(within(dialog()).getByRole('radio', { name: /^Mass/ }));
    await user.click(within(dialog()).getByRole('button', { name: 'Create variant' }));
    expect(fetchClient.post).toHaveBeenCalledTimes(1);
    expect(fetchClient.post.mock.calls[0][1]).toMatchObject({ kind: 'mass', requiredPurposes: [], key: 'weekend' });
  });

  const SAVED_MASS: VariantRecord = { ...VARIANT, kind: 'mass', key: 'campaign', name: 'Campaign', audience: null, requiredPurposes: ['marketing'] };

  it('keeps the purposes a mass variant was saved with, says so, and sends them back', async () => {
    const { user } = renderDialog({ variant: SAVED_MASS });
    fetchClient.put.mockResolvedValue({ data: { data: SAVED_MASS } });
    expect(within(dialog()).queryByRole('checkbox', { name: /^Marketing/ })).toBeNull();
    expect(screen.getByTestId('mass-consent-note').textContent).toContain('served only to visitors who granted: Marketing. Saving keeps this.');
    await user.clear(within(dialog()).getByRole('textbox', { name: /^Name/ }));
    await user.type(within(dialog()).getByRole('textbox', { name: /^Name/ }), 'Spring campaign');
    await user.click(within(dialog()).getByRole('button', { name: 'Save settings' }));
    expect(fetchClient.put).toHaveBeenCalledTimes(1);
    expect(fetchClient.put.mock.calls[0][1]).toMatchObject({ name: 'Spring campaign', kind: 'mass', requiredPurposes: ['marketing'] });
  });

  it('serves a saved mass variant to every visitor once the editor removes its purposes', async () => {
    const { user } = renderDialog({ variant: SAVED_MASS });
    fetchClient.put.mockResolvedValue({ data: { data: { ...SAVED_MASS, requiredPurposes: [] } } });
    await user.click(within(dialog()).getByRole('button', { name: 'Serve it to every visitor' }));
    expect(screen.getByTestId('mass-consent-note').textContent).toContain('asks for none');
    await user.click(within(dialog()).getByRole('button', { name: 'Save settings' }));
    expect(fetchClient.put.mock.calls[0][1]).toMatchObject({ kind: 'mass', requiredPurposes: [] });
  });

  it('drops the consent a targeted variant needed when it becomes a mass variant', async () => {
    const { user } = renderDialog({ variant: { ...VARIANT, audience: null, requiredPurposes: ['personalization', 'marketing'] } });
    fetchClient.put.mockResolvedValue({ data: { data: { ...VARIANT, kind: 'mass' } } });
    await user.click(within(dialog()).getByRole('radio', { name: /^Mass/ }));
    expect(screen.getByTestId('mass-consent-note').textContent).toContain('asks for none');
    await user.click(within(dialog()).getByRole('button', { name: 'Save settings' }));
    expect(fetchClient.put.mock.calls[0][1]).toMatchObject({ kind: 'mass', requiredPurposes: [] });
  });

  it('says once, at the condition, that it cannot read a personal attribute, and sends nothing', async () => {
    const { user } = renderDialog({ variant: VARIANT });
    await user.click(within(dialog()).getByRole('radio', { name: /^Mass/ }));
    const message = 'A mass variant is for everyone: it cannot read "interests", which needs consent.';
    expect(within(dialog()).getAllByText(message)).toHaveLength(1);

    await user.click(within(dialog()).getByRole('button', { name: 'Save settings' }));
    expect(fetchClient.put).not.toHaveBeenCalled();
    expect(within(dialog()).getAllByText(message)).toHaveLength(1);
    const attribute = within(dialog()).getByRole('combobox', { name: 'Attribute' });
    expect(document.activeElement).toBe(attribute);
    expect(scrolledTo[0].contains(attribute)).toBe(true);
  });
});

describe('a save the server refuses', () => {
  const duplicate = new FetchError(400, { message: 'key: "outdoor" is already used by a variant of this entry', details: { field: 'key' } });

  it('shows a taken key once at the key field, scrolls to it, focuses it and notifies', async () => {
    const { user, onSaved } = renderDialog();
    fetchClient.post.mockRejectedValue(duplicate);
    await user.type(within(dialog()).getByRole('textbox', { name: /^Name/ }), 'Outdoor');
    await user.click(within(dialog()).getByRole('button', { name: 'Create variant' }));

    const key = within(dialog()).getByRole('textbox', { name: /^Key/ });
    expect(key.getAttribute('aria-invalid')).toBe('true');
    expect(within(dialog()).getAllByText(/already used/)).toHaveLength(1);
    expect(within(dialog()).getByText('“outdoor” is already used by another variant of this entry. Choose another key.')).not.toBeNull();
    expect(document.activeElement).toBe(key);
    expect(scrolledTo[0]).toBe(key);
    expect(toggleNotification).toHaveBeenCalledTimes(1);
    expect(toggleNotification).toHaveBeenCalledWith({ type: 'danger', message: 'The variant was not created. See the highlighted field.' });
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('says it in German to a German editor', async () => {
    const { user } = renderDialog({ locale: 'de' });
    fetchClient.post.mockRejectedValue(duplicate);
    await user.type(within(dialog()).getByRole('textbox', { name: /^Name/ }), 'Outdoor');
    await user.click(within(dialog()).getByRole('button', { name: 'Variante anlegen' }));

    expect(within(dialog()).getByText('„outdoor“ wird schon von einer anderen Variante dieses Eintrags verwendet. Wählen Sie einen anderen Schlüssel.')).not.toBeNull();
    expect(within(dialog()).queryByText(/already used/)).toBeNull();
    expect(toggleNotification).toHaveBeenCalledWith({ type: 'danger', message: 'Die Variante wurde nicht angelegt. Siehe das markierte Feld.' });
  });
});

describe('consent purposes in the editor’s language', () => {
  it('names the default purposes in German, and a title the site configured as it is', async () => {
    const site = { ...SETTINGS, purposes: [...SETTINGS.purposes.slice(0, 2), { key: 'marketing', title: 'Newsletter & offers', description: '' }] };
    render(
      <IntlProvider locale="de" messages={GERMAN}>
        <DesignSystemProvider locale="de">
          <VariantDialog open onOpenChange={() => undefined} contentType={ARTICLE} baseDocumentId="base1" settings={site} onSaved={jest.fn()} />
        </DesignSystemProvider>
      </IntlProvider>
    );
    // The segments answer arrives after the first render.
    await act(async () => undefined);
    const boxes = within(dialog()).getAllByRole('checkbox').map((box) => box.closest('label')?.textContent ?? box.parentElement?.textContent);
    expect(boxes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Unbedingt erforderlich$/),
        expect.stringMatching(/^Personalisierung · von jeder zielgerichteten Variante benötigt$/),
        expect.stringMatching(/^Newsletter & offers$/),
      ])
    );
    expect(within(dialog()).queryByText(/Strictly necessary/)).toBeNull();
  });
});
