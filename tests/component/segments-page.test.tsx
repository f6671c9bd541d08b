/**
 * The Segments page in jsdom: a segment's usage count opens the variants that use it, and the
 * delete button of a segment in use says why it cannot delete and links to those variants.
 */
import { render, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { DesignSystemProvider } from '@strapi/design-system';
import { IntlProvider } from 'react-intl';
import { MemoryRouter } from 'react-router-dom';
import type { Segment } from '../../admin/src/api';
import { SegmentsPage } from '../../admin/src/pages/SegmentsPage';
import { settingsWith } from '../fixtures/admin-settings';
import { answerGets, fetchClient, resetStrapiAdmin } from './strapi-admin-mock';

jest.mock('@strapi/strapi/admin', () => jest.requireActual('./strapi-admin-mock').strapiAdmin);
// Each test clicks through Radix menus in jsdom: slow on a loaded machine.
jest.setTimeout(300_000);

const SETTINGS = settingsWith({ contentTypes: [], locales: [], timeZone: 'UTC' });
const USER = {
  key: 'outdoor',
  name: 'Outdoor readers',
  kind: 'targeted' as const,
  contentType: 'api::article.article',
  baseDocumentId: 'base1',
  variantDocumentId: 'doc-v1',
};
const IN_USE: Segment = {
  id: 1,
  documentId: 's1',
  name: 'Outdoor fans',
  key: 'outdoor-fans',
  description: null,
  rule: { contains: [{ var: 'interests' }, 'outdoor'] },
  usage: 1,
};
const UNUSED: Segment = { ...IN_USE, id: 2, documentId: 's2', name: 'Night owls', key: 'night-owls', rule: { '>=': [{ var: 'hour' }, 22] }, usage: 0 };

beforeEach(() => {
  resetStrapiAdmin();
  answerGets({
    '/personalization/catalogue': SETTINGS,
    '/personalization/segments': [IN_USE, UNUSED],
    '/personalization/segments/s1': { ...IN_USE, usedBy: [USER] },
  });
});

async function renderPage() {
  const user = userEvent.setup({ delay: null });
  render(
    <MemoryRouter>
      <IntlProvider locale="en" messages={{}}>
        <DesignSystemProvider locale="en">
          <SegmentsPage />
        </DesignSystemProvider>
      </IntlProvider>
    </MemoryRouter>
  );
  await screen.findByText('Outdoor fans');
  return user;
}

const row = (name: string) => screen.getByText(name).closest('tr') as HTMLElement;

describe('the Segments page', () => {
  it('shows audiences as sentences and links a usage count to the variants that use the segment', async () => {
    const user = await renderPage();
    expect(within(row('Night owls')).getByText('Hour is at least 22')).not.toBeNull();
    expect(within(row('Night owls')).queryByRole('button', { name: 'no variant' })).toBeNull();

    await user.click(within(row('Outdoor fans')).getByRole('button', { name: '1 variant' }));
    const usage = await screen.findByTestId('segment-usage-outdoor-fans');
    expect(usage.textContent).toContain('Variants that use “Outdoor fans”:');
    const link = await within(usage).findByRole('link', { name: 'Outdoor readers' });
    expect(link.getAttribute('href')).toBe('/content-manager/collection-types/api::article.article/doc-v1');
  });

  it('says why a segment in use cannot be deleted, links to its variants, and deletes nothing', async () => {
    const user = await renderPage();
    const blocked = within(row('Outdoor fans')).getByRole('button', { name: 'Delete “Outdoor fans”' });
    expect(blocked.getAttribute('aria-disabled')).toBe('true');
    await user.click(blocked);
    const why = await screen.findByTestId('segment-usage-outdoor-fans');
    expect(why.textContent).toContain('“Outdoor fans” cannot be deleted while variants use it. Remove it from these variants first:');
    expect((await within(why).findByRole('link', { name: 'Outdoor readers' })).getAttribute('href')).toBe(
      '/content-manager/collection-types/api::article.article/doc-v1'
    );
    expect(fetchClient.del).not.toHaveBeenCalled();

    const free = within(row('Night owls')).getByRole('button', { name: 'Delete “Night owls”' });
    expect(free.getAttribute('aria-disabled')).not.toBe('true');
  });
});
