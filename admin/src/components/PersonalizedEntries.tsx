/**
 * The Overview's list of personalized entries (`GET /personalization/overview`): every base entry
 * that has variants, each variant with its status badge and schedule, linked to the editor.
 */
import * as React from 'react';
import { Box, Button, Flex, Link, Loader, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { NavLink } from 'react-router-dom';
import { API, useResource, type Overview, type OverviewEntry, type OverviewVariant, type PluginSettings } from '../api';
import { useT } from '../hooks/useT';
import { useSchedule } from '../utils/schedule';
import { VariantStatusBadge } from './VariantStatusBadge';

const PAGE_SIZE = 25;

function editPath(settings: PluginSettings, entry: OverviewEntry, documentId = entry.documentId): string {
  const kind = settings.contentTypes.find((type) => type.uid === entry.contentType)?.kind;
  // A single type's base has its own route; its variants are opened by id as collection-type documents.
  if (kind === 'singleType' && documentId === entry.documentId) return `/content-manager/single-types/${entry.contentType}`;
  return `/content-manager/collection-types/${entry.contentType}/${documentId}`;
}

export const PersonalizedEntries = ({ settings }: { settings: PluginSettings }) => {
  const t = useT();
  const [page, setPage] = React.useState(1);
  const overview = useResource<Overview>(API.overview({ page: String(page), pageSize: String(PAGE_SIZE) }));
  const data = overview.data;
  const pageCount = data ? Math.max(1, Math.ceil(data.pagination.total / data.pagination.pageSize)) : 1;

  return (
    <Flex direction="column" alignItems="stretch" gap={3} data-testid="personalized-entries">
      <Typography variant="delta" tag="h2">
        {t('overview.title', 'Personalized entries')}
      </Typography>
      {overview.isLoading && !data && <Loader small />}
      {overview.problem && <Typography textColor="danger600">{overview.problem.message}</Typography>}
      {data && data.entries.length === 0 && (
        <Typography textColor="neutral600">{t('overview.none', 'No entry has variants yet.')}</Typography>
      )}
      {data && data.entries.length > 0 && (
        <Table colCount={3} rowCount={data.entries.length + 1}>
          <Thead>
            <Tr>
              <Th>
                <Typography variant="sigma">{t('overview.entry', 'Entry')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('overview.type', 'Content type')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('overview.variants', 'Variants, in the order they are tried')}</Typography>
              </Th>
            </Tr>
          </Thead>
          <Tbody>
            {data.entries.map((entry) => (
              <Tr key={`${entry.contentType}:${entry.documentId}`} aria-label={entry.title ?? entry.documentId}>
                <Td>
                  <Link tag={NavLink} to={editPath(settings, entry)}>
                    {entry.title ?? t('overview.untitled', 'Untitled ({id})', { id: entry.documentId })}
                  </Link>
                </Td>
                <Td>
                  <Typography textColor="neutral800">{entry.contentTypeName}</Typography>
                </Td>
                <Td>
                  <Flex direction="column" alignItems="stretch" gap={1} paddingTop={2} paddingBottom={2}>
                    {entry.variants.map((variant) => (
                      <VariantLine key={variant.id} variant={variant} href={editPath(settings, entry, variant.variantDocumentId)} timeZone={settings.timeZone} />
                    ))}
                  </Flex>
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      )}
      {pageCount > 1 && (
        <Flex gap={2} justifyContent="flex-end">
          <Button variant="tertiary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            {t('overview.previous', 'Previous')}
          </Button>
          <Typography textColor="neutral600">{t('overview.page', 'Page {page} of {count}', { page, count: pageCount })}</Typography>
          <Button variant="tertiary" disabled={page >= pageCount} onClick={() => setPage(page + 1)}>
            {t('overview.next', 'Next')}
          </Button>
        </Flex>
      )}
    </Flex>
  );
};

const VariantLine = ({ variant, href, timeZone }: { variant: OverviewVariant; href: string; timeZone: string }) => {
  const t = useT();
  const schedule = useSchedule(timeZone);
  const timed = variant.startsAt || variant.endsAt;
  return (
    <Flex gap={2} alignItems="center" wrap="wrap" data-status={variant.status}>
      <VariantStatusBadge status={variant.status} />
      <Link tag={NavLink} to={href}>
        {variant.name}
      </Link>
      <Typography variant="pi" textColor="neutral600">
        {variant.kind === 'targeted' ? t('kind.targeted', 'Targeted') : t('kind.mass', 'Mass')}
      </Typography>
      {timed && (
        <Box>
          <Typography variant="pi" textColor="neutral600">
            {schedule.describe(variant.startsAt, variant.endsAt)}
          </Typography>
        </Box>
      )}
    </Flex>
  );
};
