/** Proof-of-consent records: read-only, filtered, exportable as CSV. They hold no attribute values. */
import * as React from 'react';
import {
  Badge,
  Box,
  Button,
  DatePicker,
  EmptyStateLayout,
  Field,
  Flex,
  Grid,
  Loader,
  SingleSelect,
  SingleSelectOption,
  Table,
  Tbody,
  Td,
  TextInput,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { Download } from '@strapi/icons';
import { Layouts, Page, Pagination, useFetchClient, useNotification, useQueryParams } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import { API, problemOf, useResource } from '../api';
import { useT } from '../hooks/useT';
import { PERMISSIONS } from '../permissions';

interface ConsentRecord {
  recordId: string;
  subject: string;
  event: 'granted' | 'withdrawn';
  purposes: string[];
  policyVersion: string | null;
  occurredAt: string | null;
  expiresAt: string | null;
}

interface Filters {
  subject?: string;
  recordId?: string;
  event?: 'granted' | 'withdrawn';
  from?: string;
  to?: string;
}

interface Query extends Filters {
  page?: string;
  pageSize?: string;
}

const FILTER_KEYS = ['subject', 'recordId', 'event', 'from', 'to'] as const;

/** YYYY-MM-DD of a picked day, as the editor saw it (the server reads a date as a whole UTC day). */
const dayOf = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

function queryString(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const ConsentRecordsPage = () => {
  const t = useT();
  const { formatDate } = useIntl();
  const { get } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [{ query }, setQuery] = useQueryParams<Query>();
  const filters: Filters = Object.fromEntries(FILTER_KEYS.filter((key) => query[key]).map((key) => [key, query[key]]));
  const [draft, setDraft] = React.useState<Filters>(filters);
  const page = query.page ?? '1';
  const pageSize = query.pageSize ?? '25';
  const records = useResource<ConsentRecord[], { pagination: { pageCount: number; total: number } }>(
    `${API.consentRecords}${queryString({ ...filters, page, pageSize })}`
  );
  const pagination = records.meta?.pagination;
  const [exporting, setExporting] = React.useState(false);

  const apply = (event: React.FormEvent) => {
    event.preventDefault();
    const next: Record<string, string | undefined> = { page: '1' };
    for (const key of FILTER_KEYS) next[key] = draft[key] || undefined;
    setQuery(next as Query);
  };

  const reset = () => {
    setDraft({});
    setQuery({ page: '1', subject: undefined, recordId: undefined, event: undefined, from: undefined, to: undefined } as Query);
  };

  const exportCsv = async () => {
    setExporting(true);
    try {
      const response = await get(`${API.consentRecordsExport}${queryString({ ...filters })}`, { responseType: 'blob' });
      const url = URL.createObjectURL(response.data);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = `consent-records-${new Date().toISOString().slice(0, 10)}.csv`;
      anchor.click();
      URL.revokeObjectURL(url);
    } catch (error) {
      toggleNotification({ type: 'danger', message: problemOf(error).message });
    } finally {
      setExporting(false);
    }
  };

  const when = (value: string | null) => (value ? formatDate(value, { dateStyle: 'short', timeStyle: 'medium' }) : '–');
  const day = (value: string | null) => (value ? formatDate(value, { dateStyle: 'medium' }) : '–');
  const title = t('consent.title', 'Consent records');

  return (
    <Page.Protect permissions={PERMISSIONS.readConsentRecords}>
      <Page.Main>
        <Page.Title>{title}</Page.Title>
        <Layouts.Header
          title={title}
          subtitle={t('consent.subtitle', 'Proof of consent: who (a pseudonymous id) granted or withdrew which purposes, when, under which policy. No attribute values are stored.')}
          primaryAction={
            <Button variant="secondary" startIcon={<Download />} onClick={exportCsv} loading={exporting}>
              {t('consent.export', 'Export CSV')}
            </Button>
          }
        />
        <Layouts.Content>
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Box background="neutral0" padding={4} shadow="filterShadow" hasRadius>
              <form onSubmit={apply}>
                <Grid.Root gap={3}>
                  <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
                    <Field.Root name="subject">
                      <Field.Label>{t('consent.subject', 'Subject')}</Field.Label>
                      <TextInput value={draft.subject ?? ''} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, subject: event.target.value })} />
                    </Field.Root>
                  </Grid.Item>
                  <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
                    <Field.Root name="recordId">
                      <Field.Label>{t('consent.recordId', 'Record id')}</Field.Label>
                      <TextInput value={draft.recordId ?? ''} onChange={(event: React.ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, recordId: event.target.value })} />
                    </Field.Root>
                  </Grid.Item>
                  <Grid.Item col={2} s={12} direction="column" alignItems="stretch">
                    <Field.Root name="event">
                      <Field.Label>{t('consent.event', 'Event')}</Field.Label>
                      <SingleSelect value={draft.event ?? 'any'} onChange={(value) => setDraft({ ...draft, event: value === 'any' ? undefined : (value as Filters['event']) })}>
                        <SingleSelectOption value="any">{t('consent.event.any', 'Any')}</SingleSelectOption>
                        <SingleSelectOption value="granted">{t('consent.event.granted', 'Granted')}</SingleSelectOption>
                        <SingleSelectOption value="withdrawn">{t('consent.event.withdrawn', 'Withdrawn')}</SingleSelectOption>
                      </SingleSelect>
                    </Field.Root>
                  </Grid.Item>
                  <Grid.Item col={2} s={12} direction="column" alignItems="stretch">
                    <Field.Root name="from">
                      <Field.Label>{t('consent.from', 'From')}</Field.Label>
                      <DatePicker
                        value={draft.from ? new Date(`${draft.from}T00:00:00`) : undefined}
                        onChange={(date) => setDraft({ ...draft, from: date ? dayOf(date) : undefined })}
                        onClear={() => setDraft({ ...draft, from: undefined })}
                        clearLabel={t('variant.schedule.clear', 'Clear')}
                      />
                    </Field.Root>
                  </Grid.Item>
                  <Grid.Item col={2} s={12} direction="column" alignItems="stretch">
                    <Field.Root name="to">
                      <Field.Label>{t('consent.to', 'To')}</Field.Label>
                      <DatePicker
                        value={draft.to ? new Date(`${draft.to}T00:00:00`) : undefined}
                        onChange={(date) => setDraft({ ...draft, to: date ? dayOf(date) : undefined })}
                        onClear={() => setDraft({ ...draft, to: undefined })}
                        clearLabel={t('variant.schedule.clear', 'Clear')}
                      />
                    </Field.Root>
                  </Grid.Item>
                </Grid.Root>
                <Flex gap={2} paddingTop={3}>
                  <Button type="submit">{t('consent.apply', 'Apply filters')}</Button>
                  <Button variant="tertiary" onClick={reset}>
                    {t('consent.reset', 'Reset')}
                  </Button>
                </Flex>
              </form>
            </Box>

            {records.isLoading && !records.data && <Loader />}
            {records.problem && <Typography textColor="danger600">{records.problem.message}</Typography>}
            {records.data && records.data.length === 0 && <EmptyStateLayout content={t('consent.empty', 'No consent records match.')} />}
            {records.data && records.data.length > 0 && (
              <Table colCount={6} rowCount={records.data.length + 1}>
                <Thead>
                  <Tr>
                    <Th><Typography variant="sigma">{t('consent.occurredAt', 'When')}</Typography></Th>
                    <Th><Typography variant="sigma">{t('consent.event', 'Event')}</Typography></Th>
                    <Th><Typography variant="sigma">{t('consent.subject', 'Subject')}</Typography></Th>
                    <Th><Typography variant="sigma">{t('consent.purposes', 'Purposes')}</Typography></Th>
                    <Th><Typography variant="sigma">{t('consent.policyVersion', 'Policy')}</Typography></Th>
                    <Th><Typography variant="sigma">{t('consent.expiresAt', 'Token expires')}</Typography></Th>
                  </Tr>
                </Thead>
                <Tbody>
                  {records.data.map((record) => (
                    <Tr key={`${record.recordId}:${record.event}:${record.occurredAt}`}>
                      <Td><Typography>{when(record.occurredAt)}</Typography></Td>
                      <Td>
                        <Badge variant={record.event === 'granted' ? 'success' : 'neutral'} size="S">
                          {record.event === 'granted' ? t('consent.event.granted', 'Granted') : t('consent.event.withdrawn', 'Withdrawn')}
                        </Badge>
                      </Td>
                      <Td>
                        <Typography variant="pi" title={t('consent.recordIdTitle', 'Record {id}', { id: record.recordId })}>
                          {record.subject}
                        </Typography>
                      </Td>
                      <Td><Typography>{record.purposes.join(', ')}</Typography></Td>
                      <Td><Typography>{record.policyVersion ?? '–'}</Typography></Td>
                      <Td><Typography>{day(record.expiresAt)}</Typography></Td>
                    </Tr>
                  ))}
                </Tbody>
              </Table>
            )}
            {pagination && pagination.total > 0 && (
              <Pagination.Root pageCount={pagination.pageCount} total={pagination.total} defaultPageSize={25}>
                <Pagination.PageSize options={['10', '25', '50', '100']} />
                <Pagination.Links />
              </Pagination.Root>
            )}
          </Flex>
        </Layouts.Content>
      </Page.Main>
    </Page.Protect>
  );
};
