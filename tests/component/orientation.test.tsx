/**
 * Where an editor is, in jsdom: a variant's edit view names the variant and its kind and links back
 * to its base; the list view marks the entries that have variants, on enabled types only; the
 * Overview lists personalized entries with each variant's status and schedule; the menu icon is
 * not the AI sparkle; a schedule reads the same in each admin language, in the site's time zone.
 */
import { act, render, screen, within } from '@testing-library/react';
import { DesignSystemProvider } from '@strapi/design-system';
import { ManyWays, Sparkle } from '@strapi/icons';
import { IntlProvider } from 'react-intl';
import { MemoryRouter } from 'react-router-dom';
import type { Overview, VariantListItem } from '../../admin/src/api';
import { PersonalizedEntries } from '../../admin/src/components/PersonalizedEntries';
import { addPersonalizedColumn } from '../../admin/src/components/PersonalizedListCell';
import { PluginIcon } from '../../admin/src/components/PluginIcon';
import { VariantBanner } from '../../admin/src/components/VariantBanner';
import { schedulePhrase } from '../../admin/src/utils/schedule';
import { settingsWith } from '../fixtures/admin-settings';
import { answerGets, fetchClient, resetStrapiAdmin } from './strapi-admin-mock';

const mockContext = { model: 'api::article.article', collectionType: 'collection-types', id: 'doc-outdoor' as string | undefined };
const mockDocument: { current: Record<string, unknown> | undefined } = { current: undefined };

jest.mock('@strapi/strapi/admin', () => ({
  ...jest.requireActual('./strapi-admin-mock').strapiAdmin,
  unstable_useContentManagerContext: () => mockContext,
  unstable_useDocument: () => ({ document: mockDocument.current }),
}));

const ARTICLE = 'api::article.article';
const SETTINGS = settingsWith();

const OUTDOOR = {
  id: 1,
  documentId: 'rec-outdoor',
  name: 'Outdoor fans',
  key: 'outdoor',
  contentType: ARTICLE,
  baseDocumentId: 'base1',
  variantDocumentId: 'doc-outdoor',
  kind: 'targeted',
  status: 'live',
  warnings: [],
} as unknown as VariantListItem;

const OVERVIEW: Overview = {
  entries: [
    {
      contentType: ARTICLE,
      contentTypeName: 'Article',
      documentId: 'base1',
      title: 'Five trails',
      variants: [
        { id: 'rec-outdoor', key: 'outdoor', name: 'Outdoor fans', kind: 'targeted', status: 'live', startsAt: null, endsAt: null, variantDocumentId: 'doc-outdoor' },
        {
          id: 'rec-advent',
          key: 'advent',
          name: 'Advent',
          kind: 'mass',
          status: 'scheduled',
          startsAt: '2026-12-01T08:00:00.000Z',
          endsAt: null,
          variantDocumentId: 'doc-advent',
        },
        { id: 'rec-autumn', key: 'autumn', name: 'Autumn', kind: 'mass', status: 'ended', startsAt: null, endsAt: '2026-10-31T23:00:00.000Z', variantDocumentId: 'doc-autumn' },
      ],
    },
  ],
  pagination: { page: 1, pageSize: 25, total: 1 },
};

beforeEach(() => {
  resetStrapiAdmin();
  mockContext.id = 'doc-outdoor';
  mockDocument.current = { documentId: 'doc-outdoor', variantOf: 'base1' };
  answerGets({
    '/personalization/catalogue': SETTINGS,
    [`/personalization/variants/${ARTICLE}/base1`]: [OUTDOOR],
    '/personalization/overview?page=1&pageSize=25': OVERVIEW,
    '/personalization/overview?page=1&pageSize=100': OVERVIEW,
  });
});

function wrap(children: React.ReactNode, locale = 'en') {
  return (
    <MemoryRouter>
      <IntlProvider locale={locale} messages={{}}>
        <DesignSystemProvider locale={locale}>{children}</DesignSystemProvider>
      </IntlProvider>
    </MemoryRouter>
  );
}

describe('the variant banner in the edit view', () => {
  it('names the variant and its kind and links back to the base', async () => {
    render(wrap(<VariantBanner />));
    const banner = await screen.findByTestId('variant-banner');
    await within(banner).findByText('Variant “Outdoor fans”');
    expect(within(banner).getByText('Targeted')).toBeTruthy();
    expect(within(banner).getByRole('link', { name: 'Open the base entry' }).getAttribute('href')).toBe(`/content-manager/collection-types/${ARTICLE}/base1`);
  });

  it('shows nothing on a base entry', async () => {
    mockContext.id = 'base1';
    mockDocument.current = { documentId: 'base1', variantOf: null };
    render(wrap(<VariantBanner />));
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(fetchClient.get.mock.calls.filter(([url]) => String(url).startsWith('/personalization/variants/'))).toEqual([]);
    expect(screen.queryByTestId('variant-banner')).toBeNull();
  });
});

describe('the list view column', () => {
  const header = { name: 'title' };

  it('is added only to types that enable personalization', () => {
    expect(addPersonalizedColumn({ displayedHeaders: [header], layout: { options: {} } }).displayedHeaders).toEqual([header]);
    const added = addPersonalizedColumn({ displayedHeaders: [header], layout: { options: { personalization: { enabled: true } } } });
    expect(added.displayedHeaders.map((column) => (column as { name: string }).name)).toEqual(['title', 'personalization']);
  });

  it('marks an entry with variants and how many are live, and leaves the others empty', async () => {
    const [, column] = addPersonalizedColumn({ displayedHeaders: [header], layout: { options: { personalization: { enabled: true } } } })
      .displayedHeaders as unknown as Array<{ cellFormatter(row: { documentId: string }, header: unknown, meta: { model: string }): React.ReactNode }>;
    render(
      wrap(
        <>
          <div data-testid="row-base1">{column.cellFormatter({ documentId: 'base1' }, column, { model: ARTICLE })}</div>
          <div data-testid="row-other">{column.cellFormatter({ documentId: 'other' }, column, { model: ARTICLE })}</div>
        </>
      )
    );
    await within(screen.getByTestId('row-base1')).findByText('3 variants, 1 live');
    expect(screen.getByTestId('row-other').textContent).toBe('');
    // One read for every row of the page.
    expect(fetchClient.get.mock.calls.filter(([url]) => String(url).startsWith('/personalization/overview'))).toHaveLength(1);
  });
});

describe('the Overview', () => {
  it('lists personalized entries with their live, scheduled and ended variants', async () => {
    render(wrap(<PersonalizedEntries settings={SETTINGS} />));
    const row = await screen.findByRole('row', { name: 'Five trails' });
    const status = (name: string) => within(row).getByRole('link', { name }).closest('[data-status]')?.getAttribute('data-status');
    expect(status('Outdoor fans')).toBe('live');
    expect(status('Advent')).toBe('scheduled');
    expect(status('Autumn')).toBe('ended');
    expect(within(row).getByText(/^from Dec 1, 2026, 9:00\s?AM \(Europe\/Berlin\)$/)).toBeTruthy();
    expect(within(row).getByRole('link', { name: 'Five trails' }).getAttribute('href')).toBe(`/content-manager/collection-types/${ARTICLE}/base1`);
  });
});

describe('the menu icon', () => {
  it('reads as audiences (several ways), not the AI sparkle', () => {
    const html = (node: React.ReactElement) => render(wrap(node)).container.innerHTML;
    const icon = html(<PluginIcon />);
    expect(icon).toBe(html(<ManyWays />));
    expect(icon).not.toBe(html(<Sparkle />));
  });
});

describe('schedules', () => {
  const format = (locale: string) => (value: Date, options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, options).format(value);

  it('are written in the site time zone, in the editor’s language and its clock', () => {
    expect(schedulePhrase(format('de'), '2026-12-01T08:00:00.000Z', null, 'Europe/Berlin')).toEqual({ id: 'from', from: '01.12.2026, 09:00' });
    expect(schedulePhrase(format('en-US'), null, '2026-12-01T08:00:00.000Z', 'America/New_York')).toEqual({ id: 'until', to: expect.stringMatching(/^Dec 1, 2026, 3:00\sAM$/) });
    expect(schedulePhrase(format('en'), null, null, 'UTC')).toEqual({ id: 'always' });
  });
});
