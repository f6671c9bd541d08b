/**
 * The Content Manager list view's "Personalization" column (hook
 * `Admin/CM/pages/ListView/inject-column-in-table`), on types with personalization enabled: an
 * entry that has variants shows how many and how many are live. Variants themselves are not rows
 * of the list (the server hides them there), so every row is a base entry.
 */
import * as React from 'react';
import { Flex, Tooltip, Typography } from '@strapi/design-system';
import { ManyWays } from '@strapi/icons';
import { useFetchClient } from '@strapi/strapi/admin';
import { API, type Overview, type OverviewEntry } from '../api';
import { useT } from '../hooks/useT';
import { getTranslation } from '../utils/getTranslation';

type Get = ReturnType<typeof useFetchClient>['get'];

const PAGE_SIZE = 100;
/** One read of the personalized entries per type and list view visit, shared by its rows. */
const FRESH_MS = 5_000;
const cache = new Map<string, { at: number; entries: Promise<Map<string, OverviewEntry>> }>();

async function personalizedEntries(get: Get, model: string): Promise<Map<string, OverviewEntry>> {
  const found = new Map<string, OverviewEntry>();
  for (let page = 1; ; page += 1) {
    // The overview holds every type's entries, grouped by type; this type's are kept.
    const response = await get<{ data: Overview }>(API.overview({ page: String(page), pageSize: String(PAGE_SIZE) }));
    const { entries, pagination } = response.data.data;
    for (const entry of entries) if (entry.contentType === model) found.set(entry.documentId, entry);
    if (page * pagination.pageSize >= pagination.total || entries.length === 0) return found;
  }
}

function usePersonalizedEntry(model: string, documentId: string): OverviewEntry | null | undefined {
  const { get } = useFetchClient();
  const [entry, setEntry] = React.useState<OverviewEntry | null | undefined>(undefined);
  React.useEffect(() => {
    let cached = cache.get(model);
    if (!cached || Date.now() - cached.at > FRESH_MS) {
      cached = { at: Date.now(), entries: personalizedEntries(get, model) };
      cache.set(model, cached);
    }
    let current = true;
    cached.entries.then(
      (entries) => current && setEntry(entries.get(documentId) ?? null),
      () => current && setEntry(null)
    );
    return () => {
      current = false;
    };
    // `get` is a new function on every render; the model and row decide.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [model, documentId]);
  return entry;
}

export const PersonalizedListCell = ({ model, documentId }: { model: string; documentId: string }) => {
  const t = useT();
  const entry = usePersonalizedEntry(model, documentId);
  if (!entry || entry.variants.length === 0) return null;
  const live = entry.variants.filter((variant) => variant.status === 'live').length;
  const label = t('list.variants', '{count, plural, one {# variant} other {# variants}}, {live} live', {
    count: entry.variants.length,
    live,
  });
  return (
    <Tooltip label={entry.variants.map((variant) => variant.name).join(', ')}>
      <Flex gap={1} alignItems="center" tag="span" aria-label={label} data-testid="personalized-cell">
        <ManyWays aria-hidden fill="primary600" />
        <Typography textColor="neutral800">{label}</Typography>
      </Flex>
    </Tooltip>
  );
};

interface ListHeader {
  attribute: { type: string };
  label: { id: string; defaultMessage: string };
  searchable: boolean;
  sortable: boolean;
  name: string;
  cellFormatter(row: { documentId: string }, header: unknown, meta: { model: string }): React.ReactNode;
}

/** Adds the column to the list view of a type whose schema enables personalization. */
export function addPersonalizedColumn<H>({ displayedHeaders, layout }: { displayedHeaders: H[]; layout: { options?: Record<string, unknown> } }) {
  const options = layout.options as { personalization?: { enabled?: unknown } } | undefined;
  if (options?.personalization?.enabled !== true) return { displayedHeaders, layout };
  const header: ListHeader = {
    attribute: { type: 'string' },
    label: { id: getTranslation('list.header'), defaultMessage: 'Personalization' },
    searchable: false,
    sortable: false,
    name: 'personalization',
    cellFormatter: (row, _header, meta) => <PersonalizedListCell model={meta.model} documentId={row.documentId} />,
  };
  return { displayedHeaders: [...displayedHeaders, header as H], layout };
}
