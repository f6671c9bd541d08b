/**
 * Everything the plugin holds, out and back in (before an uninstall, after a re-install), and the
 * variant records set aside because their entries are no longer variants.
 */
import * as React from 'react';
import { Badge, Box, Button, EmptyStateLayout, Flex, IconButton, Loader, Table, Tbody, Td, Th, Thead, Tr, Typography, VisuallyHidden } from '@strapi/design-system';
import { ArrowClockwise, Download, Link as LinkIcon, Trash, Upload } from '@strapi/icons';
import { Layouts, Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import type { ImportResult, ReconcileReport, RelinkAllResult, StaleReason } from '../../../shared/contracts';
import { API, problemOf, useResource } from '../api';
import { useT } from '../hooks/useT';
import { PERMISSIONS, usePluginPermissions } from '../permissions';

export const DataPage = () => {
  const t = useT();
  const { formatDate } = useIntl();
  const can = usePluginPermissions();
  const mayTransfer = Object.values(can).every(Boolean);
  const { get, post, del } = useFetchClient();
  const { toggleNotification } = useNotification();
  const report = useResource<ReconcileReport>(API.reconcile);
  const [busy, setBusy] = React.useState<string | null>(null);
  const fileInput = React.useRef<HTMLInputElement>(null);
  const title = t('data.title', 'Data');

  const reasons: Record<StaleReason, string> = {
    'type-not-enabled': t('data.reason.type-not-enabled', 'Its type no longer has personalization'),
    'not-a-variant': t('data.reason.not-a-variant', 'Its entry is an ordinary entry now'),
    'variant-of-another-entry': t('data.reason.variant-of-another-entry', 'Its entry is a variant of another entry'),
    'document-missing': t('data.reason.document-missing', 'Its entry no longer exists'),
  };

  /** Runs an action, says how it went, and reloads the lists. */
  const act = async (name: string, work: () => Promise<string>) => {
    setBusy(name);
    try {
      toggleNotification({ type: 'success', message: await work() });
      report.reload();
    } catch (error) {
      toggleNotification({ type: 'danger', message: problemOf(error).message });
    } finally {
      setBusy(null);
    }
  };

  const exportAll = () =>
    act('export', async () => {
      const response = await get(API.transferExport, { responseType: 'blob' });
      const url = URL.createObjectURL(response.data);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = `personalization-export-${new Date().toISOString().slice(0, 10)}.json`;
      anchor.click();
      URL.revokeObjectURL(url);
      return t('data.exported', 'Export downloaded.');
    });

  const importFile = (file: File) =>
    act('import', async () => {
      const { data } = await post<{ data: ImportResult }>(API.transferImport, JSON.parse(await file.text()));
      const imported = Object.values(data.data.imported).reduce((sum, count) => sum + count, 0);
      const skipped = Object.values(data.data.skipped).reduce((sum, count) => sum + count, 0);
      return t('data.imported', '{imported} rows imported, {skipped} already there, {detached} variant records set aside.', {
        imported,
        skipped,
        detached: data.data.detached,
      });
    });

  const checkNow = () =>
    act('check', async () => {
      const { data } = await post<{ data: { detachedNow: unknown[] } }>(API.reconcile, {});
      return t('data.checked', 'Checked: {count} variant records set aside now.', { count: data.data.detachedNow.length });
    });

  const relinkAll = () =>
    act('relink-all', async () => {
      const { data } = await post<{ data: RelinkAllResult }>(API.relinkAll, {});
      return t('data.relinkedAll', '{relinked} linked again, {refused} could not be.', {
        relinked: data.data.relinked.length,
        refused: data.data.refused.length,
      });
    });

  const detached = report.data?.detached ?? [];
  const unlinked = report.data?.unlinkedDocuments ?? [];

  return (
    <Page.Protect permissions={PERMISSIONS.read}>
      <Page.Main>
        <Page.Title>{title}</Page.Title>
        <Layouts.Header
          title={title}
          subtitle={t(
            'data.subtitle',
            'Export everything the plugin holds before you uninstall it (Strapi then drops its tables), import it after a re-install, and see the variant records set aside because their entries are no longer variants.'
          )}
          primaryAction={
            mayTransfer ? (
              <Flex gap={2}>
                <Button variant="secondary" startIcon={<Download />} onClick={exportAll} loading={busy === 'export'}>
                  {t('data.export', 'Export everything')}
                </Button>
                <Button variant="secondary" startIcon={<Upload />} onClick={() => fileInput.current?.click()} loading={busy === 'import'}>
                  {t('data.import', 'Import')}
                </Button>
                <VisuallyHidden>
                  <input
                    ref={fileInput}
                    type="file"
                    accept="application/json,.json"
                    aria-label={t('data.import', 'Import')}
                    onChange={(event) => {
                      const file = event.target.files?.[0];
                      event.target.value = '';
                      if (file) void importFile(file);
                    }}
                  />
                </VisuallyHidden>
              </Flex>
            ) : undefined
          }
        />
        <Layouts.Content>
          <Flex direction="column" alignItems="stretch" gap={4}>
            {report.isLoading && !report.data && <Loader />}
            {report.problem && <Typography textColor="danger600">{report.problem.message}</Typography>}
            <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
              <Flex direction="column" alignItems="stretch" gap={3}>
                <Flex justifyContent="space-between" gap={2}>
                  <Typography variant="delta" tag="h2">
                    {t('data.detached', 'Set-aside variant records')}
                  </Typography>
                  {can.manageVariants && (
                    <Flex gap={2}>
                      <Button variant="tertiary" startIcon={<ArrowClockwise />} onClick={checkNow} loading={busy === 'check'}>
                        {t('data.check', 'Check now')}
                      </Button>
                      {detached.length > 0 && (
                        <Button variant="secondary" startIcon={<LinkIcon />} onClick={relinkAll} loading={busy === 'relink-all'}>
                          {t('data.relinkAll', 'Link all again')}
                        </Button>
                      )}
                    </Flex>
                  )}
                </Flex>
                <Typography textColor="neutral600">
                  {t(
                    'data.detached.help',
                    'Their entries are served as ordinary entries; the plugin never serves or deletes anything through these records. Linking one again makes its entry a hidden variant of its base.'
                  )}
                </Typography>
                {report.data && detached.length === 0 && <EmptyStateLayout content={t('data.detached.none', 'No variant record is set aside.')} />}
                {detached.length > 0 && (
                  <Table colCount={5} rowCount={detached.length + 1}>
                    <Thead>
                      <Tr>
                        <Th><Typography variant="sigma">{t('data.variant', 'Variant')}</Typography></Th>
                        <Th><Typography variant="sigma">{t('data.entry', 'Entry')}</Typography></Th>
                        <Th><Typography variant="sigma">{t('data.reason', 'Why')}</Typography></Th>
                        <Th><Typography variant="sigma">{t('data.detachedAt', 'Set aside')}</Typography></Th>
                        <Th><VisuallyHidden>{t('data.actions', 'Actions')}</VisuallyHidden></Th>
                      </Tr>
                    </Thead>
                    <Tbody>
                      {detached.map((record) => (
                        <Tr key={record.documentId}>
                          <Td>
                            <Flex direction="column" alignItems="flex-start">
                              <Typography fontWeight="semiBold">{record.name ?? record.key}</Typography>
                              <Typography variant="pi" textColor="neutral600">{record.key}</Typography>
                            </Flex>
                          </Td>
                          <Td>
                            <Flex direction="column" alignItems="flex-start">
                              <Typography variant="pi">{record.variantDocumentId}</Typography>
                              <Typography variant="pi" textColor="neutral600">
                                {t('data.entryOf', 'base {base}, {type}', { base: record.baseDocumentId, type: record.contentType })}
                              </Typography>
                            </Flex>
                          </Td>
                          <Td><Badge size="S">{reasons[record.reason] ?? record.reason}</Badge></Td>
                          <Td><Typography>{formatDate(record.detachedAt, { dateStyle: 'medium', timeStyle: 'short' })}</Typography></Td>
                          <Td>
                            {can.manageVariants && (
                              <Flex gap={1} justifyContent="flex-end">
                                <IconButton
                                  label={t('data.relink', 'Link again')}
                                  variant="ghost"
                                  disabled={busy !== null}
                                  onClick={() =>
                                    act(`relink:${record.documentId}`, async () => {
                                      await post(API.relink(record.documentId), {});
                                      return t('data.relinked', '“{key}” is a variant again.', { key: record.key });
                                    })
                                  }
                                >
                                  <LinkIcon />
                                </IconButton>
                                <IconButton
                                  label={t('data.dismiss', 'Forget')}
                                  variant="ghost"
                                  disabled={busy !== null}
                                  onClick={() =>
                                    act(`dismiss:${record.documentId}`, async () => {
                                      await del(API.detached(record.documentId));
                                      return t('data.dismissed', 'Record “{key}” forgotten; its entry is unchanged.', { key: record.key });
                                    })
                                  }
                                >
                                  <Trash />
                                </IconButton>
                              </Flex>
                            )}
                          </Td>
                        </Tr>
                      ))}
                    </Tbody>
                  </Table>
                )}
              </Flex>
            </Box>
            {unlinked.length > 0 && (
              <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
                <Flex direction="column" alignItems="stretch" gap={3}>
                  <Typography variant="delta" tag="h2">
                    {t('data.unlinked', 'Hidden entries without a variant record')}
                  </Typography>
                  <Typography textColor="neutral600">
                    {t('data.unlinked.help', 'These entries are marked as variants, so the content API hides them, but no variant record links them.')}
                  </Typography>
                  <Flex tag="ul" direction="column" alignItems="stretch" gap={2}>
                    {unlinked.map((entry) => (
                      <Flex tag="li" key={`${entry.contentType}:${entry.documentId}`} justifyContent="space-between" gap={2}>
                        <Typography variant="pi">{`${entry.documentId} (${entry.contentType})`}</Typography>
                        {can.manageVariants && (
                          <Button
                            size="S"
                            variant="tertiary"
                            loading={busy === `release:${entry.documentId}`}
                            onClick={() =>
                              act(`release:${entry.documentId}`, async () => {
                                await post(API.release(entry.contentType, entry.documentId), {});
                                return t('data.released', '{id} is an ordinary entry again.', { id: entry.documentId });
                              })
                            }
                          >
                            {t('data.release', 'Make it an ordinary entry')}
                          </Button>
                        )}
                      </Flex>
                    ))}
                  </Flex>
                </Flex>
              </Box>
            )}
          </Flex>
        </Layouts.Content>
      </Page.Main>
    </Page.Protect>
  );
};
