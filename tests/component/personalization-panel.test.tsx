/**
 * The side panel in jsdom: two lists in the order delivery tries them, numbered per list, then the
 * base; reordering by keyboard and by drag and drop within a list, sending every key; one status
 * badge per variant; schedules in the site's time zone; the server's reachability warnings in words;
 * served counts with their share of the base's responses.
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { DesignSystemProvider } from '@strapi/design-system';
import { DndProvider } from 'react-dnd';
import { HTML5Backend } from 'react-dnd-html5-backend';
import { IntlProvider } from 'react-intl';
import { MemoryRouter } from 'react-router-dom';
import type { ServedCounts, VariantListItem } from '../../admin/src/api';
import { PersonalizationPanel } from '../../admin/src/components/PersonalizationPanel';
import { settingsWith } from '../fixtures/admin-settings';
import { answerGets, fetchClient, resetStrapiAdmin } from './strapi-admin-mock';

jest.mock('@strapi/strapi/admin', () => jest.requireActual('./strapi-admin-mock').strapiAdmin);

const ARTICLE = 'api::article.article';
const SETTINGS = settingsWith({ purposes: [{ key: 'personalization', title: 'Personalization', description: '' }] });

function variant(key: string, name: string, kind: 'targeted' | 'mass', extra: Partial<VariantListItem> = {}): VariantListItem {
  return {
    id: key.length,
    documentId: `rec-${key}`,
    name,
    key,
    contentType: ARTICLE,
    baseDocumentId: 'base1',
    variantDocumentId: `doc-${key}`,
    kind,
    audience: null,
    segments: [],
    requiredPurposes: [],
    priority: 0,
    startsAt: null,
    endsAt: null,
    enabled: true,
    locales: null,
    status: 'live',
    publishedLocales: ['en'],
    warnings: [],
    ...extra,
  };
}

/** As the server answers: in evaluation order, targeted by priority, then mass by priority. */
const VARIANTS: VariantListItem[] = [
  variant('outdoor', 'Outdoor fans', 'targeted', { audience: { contains: [{ var: 'interests' }, 'outdoor'] } }),
  variant('young', 'Young adults', 'targeted', {
    status: 'scheduled',
    startsAt: '2026-12-01T08:00:00.000Z',
    endsAt: '2026-12-06T17:00:00.000Z',
  }),
  variant('hikers', 'Hikers', 'targeted', { warnings: [{ code: 'shadowed', by: 'outdoor' }] }),
  variant('winter', 'Winter campaign', 'mass'),
  variant('old', 'Autumn campaign', 'mass', { status: 'ended', endsAt: '2026-10-31T23:00:00.000Z', warnings: [{ code: 'schedule-ended', endsAt: '2026-10-31T23:00:00.000Z' }] }),
  variant('paused', 'Paused', 'mass', { status: 'disabled', enabled: false }),
  variant('fresh', 'Fresh idea', 'mass', { status: 'draft', publishedLocales: [] }),
];

const SERVED: ServedCounts = {
  contentType: ARTICLE,
  baseDocumentId: 'base1',
  from: '2026-11-24',
  to: '2026-11-30',
  total: 50,
  counts: [
    { variant: null, served: 30, share: 0.6 },
    { variant: 'outdoor', served: 20, share: 0.4 },
    { variant: 'young', served: 0, share: 0 },
  ],
};

beforeEach(() => {
  resetStrapiAdmin();
  answerGets({
    '/personalization/catalogue': SETTINGS,
    [`/personalization/variants/${ARTICLE}/base1`]: VARIANTS,
    [`/personalization/served?contentType=${encodeURIComponent(ARTICLE)}&documentId=base1`]: SERVED,
    [`/personalization/experiments?contentType=${encodeURIComponent(ARTICLE)}&baseDocumentId=base1`]: [],
    ...Object.fromEntries(VARIANTS.map((record) => [`/content-manager/collection-types/${ARTICLE}/${record.variantDocumentId}`, { status: 'published' }])),
  });
  fetchClient.put.mockResolvedValue({ data: { data: VARIANTS } });
});

const Panel = () => {
  const panel = PersonalizationPanel({ activeTab: 'draft', collectionType: 'collection-types', model: ARTICLE, documentId: 'base1', document: { documentId: 'base1', locale: null, status: 'published' } });
  return panel ? panel.content : null;
};

async function renderPanel() {
  const user = userEvent.setup({ delay: null });
  render(
    <MemoryRouter>
      <IntlProvider locale="en" messages={{}} timeZone="UTC">
        <DesignSystemProvider locale="en">
          <DndProvider backend={HTML5Backend}>
            <Panel />
          </DndProvider>
        </DesignSystemProvider>
      </IntlProvider>
    </MemoryRouter>
  );
  await screen.findByRole('listitem', { name: 'Outdoor fans' });
  // Served counts, publication states and experiments arrive after the list: let them settle.
  await screen.findByText('Served 30 times in the last 7 days (60%).');
  await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
  return user;
}

const list = (name: RegExp) => screen.getByRole('list', { name });
const namesIn = (element: HTMLElement) => within(element).getAllByRole('listitem').map((item) => item.getAttribute('aria-label'));
const item = (name: string) => screen.getByRole('listitem', { name });

describe('the side panel order', () => {
  it('shows targeted variants first, then mass variants, then the base, numbered within each list', async () => {
    await renderPanel();
    const targeted = list(/^For visitors who consented \(targeted, tried first\)$/);
    const mass = list(/^For everyone \(mass\)$/);
    expect(namesIn(targeted)).toEqual(['Outdoor fans', 'Young adults', 'Hikers']);
    expect(namesIn(mass)).toEqual(['Winter campaign', 'Autumn campaign', 'Paused', 'Fresh idea']);
    expect(within(item('Hikers')).getByText('3.')).toBeTruthy();
    expect(within(item('Winter campaign')).getByText('1.')).toBeTruthy();
    const otherwise = screen.getByTestId('panel-otherwise');
    expect(otherwise.textContent).toContain('Otherwise: this entry');
    expect(targeted.compareDocumentPosition(mass) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(mass.compareDocumentPosition(otherwise) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('moves a variant up within its list with the keyboard and sends every key, targeted then mass', async () => {
    const user = await renderPanel();
    const up = within(item('Hikers')).getByRole('button', { name: 'Move “Hikers” up' });
    act(() => up.focus());
    await user.keyboard('{Enter}');
    await waitFor(() => expect(fetchClient.put).toHaveBeenCalled());
    expect(fetchClient.put).toHaveBeenCalledWith(`/personalization/variants/${ARTICLE}/base1/order`, {
      keys: ['outdoor', 'hikers', 'young', 'winter', 'old', 'paused', 'fresh'],
    });
  });

  it('offers no arrow that cannot move: none up for the first of a list, none down for the last', async () => {
    await renderPanel();
    expect(within(item('Outdoor fans')).queryByRole('button', { name: /up$/ })).toBeNull();
    expect(within(item('Outdoor fans')).getByRole('button', { name: 'Move “Outdoor fans” down' })).toBeTruthy();
    expect(within(item('Hikers')).queryByRole('button', { name: /down$/ })).toBeNull();
    expect(within(item('Winter campaign')).queryByRole('button', { name: /up$/ })).toBeNull();
    for (const button of screen.getAllByRole('button', { name: /^Move / })) expect(button.getAttribute('aria-disabled')).not.toBe('true');
  });

  it('drops a dragged variant onto another of the same list in its place', async () => {
    await renderPanel();
    const dataTransfer = { setData: () => undefined, getData: () => '', setDragImage: () => undefined, types: [], dropEffect: 'move', effectAllowed: 'move' };
    const handle = within(item('Fresh idea')).getByTestId('drag-handle');
    fireEvent.dragStart(handle, { dataTransfer });
    fireEvent.dragEnter(item('Winter campaign'), { dataTransfer });
    fireEvent.dragOver(item('Winter campaign'), { dataTransfer });
    fireEvent.drop(item('Winter campaign'), { dataTransfer });
    fireEvent.dragEnd(handle, { dataTransfer });
    await waitFor(() => expect(fetchClient.put).toHaveBeenCalled());
    expect(fetchClient.put).toHaveBeenCalledWith(`/personalization/variants/${ARTICLE}/base1/order`, {
      keys: ['outdoor', 'young', 'hikers', 'fresh', 'winter', 'old', 'paused'],
    });
  });

  it('does not drop a variant into the other list', async () => {
    await renderPanel();
    const dataTransfer = { setData: () => undefined, getData: () => '', setDragImage: () => undefined, types: [], dropEffect: 'move', effectAllowed: 'move' };
    const handle = within(item('Fresh idea')).getByTestId('drag-handle');
    fireEvent.dragStart(handle, { dataTransfer });
    fireEvent.dragEnter(item('Outdoor fans'), { dataTransfer });
    fireEvent.dragOver(item('Outdoor fans'), { dataTransfer });
    fireEvent.drop(item('Outdoor fans'), { dataTransfer });
    fireEvent.dragEnd(handle, { dataTransfer });
    expect(fetchClient.put).not.toHaveBeenCalled();
  });
});

describe('the side panel status, schedule, warnings and served counts', () => {
  it('gives each variant one badge: Live, Scheduled, Ended, Disabled or Draft', async () => {
    await renderPanel();
    const badge = (name: string) => item(name).querySelector('[data-status]')?.textContent;
    expect(badge('Outdoor fans')).toBe('Live');
    expect(badge('Young adults')).toBe('Scheduled');
    expect(badge('Autumn campaign')).toBe('Ended');
    expect(badge('Paused')).toBe('Disabled');
    expect(badge('Fresh idea')).toBe('Draft');
  });

  it('writes a schedule in the site’s time zone and names it', async () => {
    await renderPanel();
    // 08:00 UTC is 09:00 in Berlin in December.
    expect(within(item('Young adults')).getByText(/Dec 1, 2026, 9:00\s?AM – Dec 6, 2026, 6:00\s?PM \(Europe\/Berlin\)/)).toBeTruthy();
    expect(within(item('Outdoor fans')).getByText('always')).toBeTruthy();
  });

  it('shows the server’s warnings in words, naming the variant that shadows', async () => {
    await renderPanel();
    const warnings = within(item('Hikers')).getByTestId('reachability-warnings');
    expect(warnings.textContent).toContain('Never served: “Outdoor fans” comes first');
    expect(within(item('Autumn campaign')).getByTestId('reachability-warnings').textContent).toContain('Its schedule ended on Nov 1, 2026');
    expect(within(item('Outdoor fans')).queryByTestId('reachability-warnings')).toBeNull();
  });

  it('shows how often each variant and the base were served, with their share', async () => {
    await renderPanel();
    await within(item('Outdoor fans')).findByText('20 times, 40% of this entry’s responses');
    expect(within(item('Young adults')).getByText('0 times, 0% of this entry’s responses')).toBeTruthy();
    expect(within(screen.getByTestId('panel-otherwise')).getByText('Served 30 times in the last 7 days (60%).')).toBeTruthy();
  });
});
