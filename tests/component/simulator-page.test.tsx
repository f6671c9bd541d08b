/**
 * The Simulator in jsdom: a variant skipped for missing consent names the purposes it lacks, in the
 * editor's language (the default purposes' titles too), not "a purpose it needs is not granted".
 */
import { render, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { DesignSystemProvider } from '@strapi/design-system';
import { IntlProvider } from 'react-intl';
import { MemoryRouter } from 'react-router-dom';
import { SimulatorPage } from '../../admin/src/pages/SimulatorPage';
import de from '../../admin/src/translations/de.json';
import type { Simulation } from '../../shared/contracts';
import { settingsWith, THREE_PURPOSES } from '../fixtures/admin-settings';
import { fetchClient, resetStrapiAdmin } from './strapi-admin-mock';

jest.mock('@strapi/strapi/admin', () => jest.requireActual('./strapi-admin-mock').strapiAdmin);
jest.setTimeout(300_000);

const ARTICLE = 'api::article.article';
const SETTINGS = settingsWith({ purposes: THREE_PURPOSES, locales: [] });
const SIMULATION: Simulation = {
  contentType: ARTICLE,
  locale: null,
  at: '2026-11-30T10:00:00.000Z',
  context: { purposes: [], weekday: 1, hour: 11, timeZone: 'Europe/Berlin', attributes: [], ignored: [] },
  entries: [
    {
      documentId: 'base1',
      title: 'Five trails',
      served: { variant: null, name: null, kind: 'base', reason: 'consent-missing', documentId: null },
      skipped: [{ variant: 'outdoor', name: 'Outdoor fans', kind: 'targeted', reason: 'consent-missing', missingPurposes: ['personalization', 'marketing'] }],
      read: [],
    },
  ],
};
const GERMAN = Object.fromEntries(Object.entries(de).map(([id, text]) => [`personalization.${id}`, text]));

beforeEach(() => {
  resetStrapiAdmin();
  fetchClient.get.mockImplementation(async (url: string) => {
    if (url === '/personalization/catalogue') return { data: { data: SETTINGS } };
    if (url.startsWith(`/content-manager/collection-types/${ARTICLE}?`)) return { data: { results: [{ documentId: 'base1', title: 'Five trails' }] } };
    throw new Error(`unexpected GET ${url}`);
  });
  fetchClient.post.mockResolvedValue({ data: { data: SIMULATION } });
});

async function simulate(locale: 'en' | 'de', run: string) {
  const user = userEvent.setup({ delay: null });
  render(
    <MemoryRouter>
      <IntlProvider locale={locale} messages={locale === 'de' ? GERMAN : {}}>
        <DesignSystemProvider locale={locale}>
          <SimulatorPage />
        </DesignSystemProvider>
      </IntlProvider>
    </MemoryRouter>
  );
  await user.click(await screen.findByRole('button', { name: run }));
  return within(await screen.findByTestId('simulated-base1'));
}

describe('the Simulator', () => {
  it('names the purposes a skipped variant lacks', async () => {
    const row = await simulate('en', 'Run simulation');
    expect(row.getByText('Outdoor fans: consent for Personalization and Marketing is not granted')).not.toBeNull();
    expect(fetchClient.post.mock.calls[0][1]).toMatchObject({ contentType: ARTICLE, purposes: [] });
  });

  it('names them in German to a German editor', async () => {
    const row = await simulate('de', 'Simulation starten');
    expect(row.getByText(/^Outdoor fans: .*Personalisierung und Marketing/)).not.toBeNull();
    expect(row.queryByText(/Personalization/)).toBeNull();
  });
});
