/**
 * The Content Manager edit view's "Personalization" side panel: whether this document is a base
 * entry or a variant, the base's variants in the order delivery tries them, and the actions on
 * them. Registered in the admin bootstrap with `addEditViewSidePanel`.
 */
import * as React from 'react';
import { Box, Button, Flex, Link, Typography } from '@strapi/design-system';
import { Eye, Plus } from '@strapi/icons';
import { useFetchClient, useNotification } from '@strapi/strapi/admin';
import { NavLink, useLocation, useNavigate } from 'react-router-dom';
import {
  API,
  problemOf,
  useResource,
  useSettings,
  type EnabledContentType,
  type PluginSettings,
  type ServedCounts,
  type VariantKind,
  type VariantListItem,
  type VariantRecord,
} from '../api';
import { useT } from '../hooks/useT';
import { usePluginPermissions } from '../permissions';
import { evaluationLists, reorderedKeys } from '../utils/order';
import { ExperimentPanelSection } from './ExperimentPanelSection';
import { PanelVariantItem, type PublicationStatus } from './PanelVariantItem';
import { PreviewDialog } from './PreviewDialog';
import { VariantDialog } from './VariantDialog';

/** The edit view context the Content Manager hands each side panel. */
interface PanelProps {
  activeTab: 'draft' | 'published' | null;
  collectionType: string;
  document?: { documentId?: string; locale?: string | null; status?: string; variantOf?: string | null; [field: string]: unknown };
  documentId?: string;
  model: string;
}

export const PersonalizationPanel = (props: PanelProps) => {
  const t = useT();
  const can = usePluginPermissions();
  const { data: settings } = useSettings(can.read);
  const contentType = settings?.contentTypes.find((candidate) => candidate.uid === props.model);
  if (!can.read || !settings || !contentType) return null;
  return {
    title: t('panel.title', 'Personalization'),
    content: <PanelContent {...props} settings={settings} contentType={contentType} />,
  };
};

interface PanelContentProps extends PanelProps {
  settings: PluginSettings;
  contentType: EnabledContentType;
}

/**
 * Where the Content Manager edits a document, keeping the locale the editor is in. A single
 * type's base opens on its own route; its variants are extra documents, which only the
 * collection-type route can address by id.
 */
function useEditorPath(kind: EnabledContentType['kind'], uid: string, baseDocumentId: string | undefined) {
  const { search } = useLocation();
  return React.useCallback(
    (documentId: string) => {
      const locale = new URLSearchParams(search).get('plugins[i18n][locale]');
      const query = locale ? `?${new URLSearchParams({ 'plugins[i18n][locale]': locale })}` : '';
      if (kind === 'singleType' && documentId === baseDocumentId) return `/content-manager/single-types/${uid}${query}`;
      return `/content-manager/collection-types/${uid}/${documentId}${query}`;
    },
    [search, kind, uid, baseDocumentId]
  );
}

const PanelContent = ({ document, documentId: routeDocumentId, model, settings, contentType }: PanelContentProps) => {
  // A single type's edit view has no id in its route; its document carries it.
  const documentId = routeDocumentId ?? document?.documentId;
  const t = useT();
  const can = usePluginPermissions();
  const navigate = useNavigate();
  const { toggleNotification } = useNotification();
  const { get, put, del } = useFetchClient();
  const baseDocumentId = (document?.variantOf as string | null | undefined) ?? documentId;
  const editorPath = useEditorPath(contentType.kind, model, baseDocumentId);
  const [dialog, setDialog] = React.useState<{ variant?: VariantRecord } | null>(null);
  const [previewing, setPreviewing] = React.useState(false);
  const [busy, setBusy] = React.useState(false);

  const variants = useResource<VariantListItem[]>(baseDocumentId ? API.variantsOf(model, baseDocumentId) : null);
  const records = variants.data ?? [];
  const lists = evaluationLists(records);
  // Publishing or unpublishing the entry being edited changes a variant's status: read the list again.
  const publication = `${document?.status ?? ''} ${String(document?.publishedAt ?? '')}`;
  const shownPublication = React.useRef(publication);
  React.useEffect(() => {
    if (shownPublication.current === publication) return;
    shownPublication.current = publication;
    variants.reload();
    // `variants.reload` is stable; the publication state decides.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [publication]);
  const served = useResource<ServedCounts>(baseDocumentId ? API.served(model, baseDocumentId) : null);
  const servedOf = (key: string | null) => served.data?.counts.find((count) => count.variant === key);
  const baseServed = servedOf(null);
  const names = new Map(records.map((record) => [record.key, record.name]));
  const nameOf = (key: string) => names.get(key) ?? key;
  const current = records.find((record) => record.variantDocumentId === documentId);
  const isVariant = Boolean(document?.variantOf);
  const locale = document?.locale ?? null;

  // Publication state of each variant in the locale being edited: the list holds settings only.
  const [statuses, setStatuses] = React.useState<Record<string, PublicationStatus | 'missing'>>({});
  const listKey = records.map((record) => record.variantDocumentId).sort().join(',');
  React.useEffect(() => {
    if (!listKey) return;
    let cancelled = false;
    Promise.all(
      listKey.split(',').map(async (id) => {
        try {
          const response = await get<{ data: { status?: PublicationStatus } }>(
            `/content-manager/collection-types/${model}/${id}`,
            { params: locale ? { locale } : {} }
          );
          return [id, response.data.data?.status ?? 'draft'] as const;
        } catch {
          return [id, 'missing'] as const;
        }
      })
    ).then((entries) => {
      if (!cancelled) setStatuses(Object.fromEntries(entries));
    });
    return () => {
      cancelled = true;
    };
    // `get` is a new function on every render; the list and locale decide.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [listKey, locale, model, document?.status]);

  const report = (error: unknown) =>
    toggleNotification({ type: 'danger', message: problemOf(error).message });

  const run = async (work: () => Promise<unknown>, success?: string) => {
    setBusy(true);
    try {
      await work();
      if (success) toggleNotification({ type: 'success', message: success });
      variants.reload();
    } catch (error) {
      report(error);
    } finally {
      setBusy(false);
    }
  };

  const move = (kind: VariantKind, from: number, to: number) =>
    run(() => put(API.order(model, baseDocumentId!), { keys: reorderedKeys(lists, kind, from, to) }));

  const remove = (record: VariantRecord) =>
    run(async () => {
      await del(API.variant(record.documentId));
      if (record.variantDocumentId === documentId) navigate(editorPath(record.baseDocumentId));
    }, t('panel.deleted', 'Variant “{name}” deleted.', { name: record.name }));

  if (!documentId) {
    return (
      <Typography variant="omega" textColor="neutral600">
        {t('panel.saveFirst', 'Save this entry first; then you can add variants of it.')}
      </Typography>
    );
  }

  const draftWarning =
    isVariant && document?.status !== 'published'
      ? document?.status === 'modified'
        ? t('panel.variant.modified', 'Changes to this variant are not published yet; visitors see the published version.')
        : t('panel.variant.draft', 'Not published: visitors never see a draft variant. Publish it when it is ready.')
      : null;

  return (
    <Flex direction="column" alignItems="stretch" gap={3} width="100%" data-testid="personalization-panel">
      {isVariant ? (
        <Box background="primary100" borderColor="primary200" borderStyle="solid" borderWidth="1px" hasRadius padding={3} role="status">
          <Flex direction="column" alignItems="flex-start" gap={1}>
            <Typography variant="omega" fontWeight="bold">
              {current
                ? t('panel.variant.banner', 'Variant “{name}” of a base entry', { name: current.name })
                : t('panel.variant.bannerUnknown', 'Variant of a base entry')}
            </Typography>
            <Link tag={NavLink} to={editorPath(baseDocumentId!)}>
              {t('panel.variant.openBase', 'Open the base entry')}
            </Link>
          </Flex>
        </Box>
      ) : (
        <Typography variant="pi" textColor="neutral600">
          {t('panel.base', 'Base entry: visitors for whom no variant applies see this content.')}
        </Typography>
      )}
      {draftWarning && (
        <Box background="warning100" borderColor="warning200" borderStyle="solid" borderWidth="1px" hasRadius padding={3} role="alert">
          <Typography variant="pi" textColor="warning700">
            {draftWarning}
          </Typography>
        </Box>
      )}

      <Typography variant="sigma" textColor="neutral600" tag="h3">
        {t('panel.variants', 'Variants ({count})', { count: records.length })}
      </Typography>
      {variants.problem && (
        <Typography variant="pi" textColor="danger600" role="alert">
          {variants.problem.message}
        </Typography>
      )}
      {!variants.isLoading && !variants.problem && records.length === 0 && (
        <Typography variant="pi" textColor="neutral600">
          {t('panel.none', 'No variants yet. Everyone sees this entry.')}
        </Typography>
      )}

      {records.length > 0 &&
        (['targeted', 'mass'] as const).map((kind) => (
          <Flex key={kind} direction="column" alignItems="stretch" gap={2}>
            <Typography variant="omega" fontWeight="bold" tag="h4" id={`personalization-list-${kind}`}>
              {kind === 'targeted'
                ? t('panel.list.targeted', 'For visitors who consented (targeted, tried first)')
                : t('panel.list.mass', 'For everyone (mass)')}
            </Typography>
            {lists[kind].length === 0 ? (
              <Typography variant="pi" textColor="neutral600">
                {t('panel.list.empty', 'None.')}
              </Typography>
            ) : (
              <Flex tag="ol" direction="column" alignItems="stretch" gap={2} aria-labelledby={`personalization-list-${kind}`} data-list={kind}>
                {lists[kind].map((record, index) => (
                  <PanelVariantItem
                    key={record.documentId}
                    record={record}
                    list={`${baseDocumentId}:${kind}`}
                    index={index}
                    count={lists[kind].length}
                    isCurrent={record.variantDocumentId === documentId}
                    publication={statuses[record.variantDocumentId]}
                    served={servedOf(record.key)}
                    settings={settings}
                    href={editorPath(record.variantDocumentId)}
                    canManage={can.manageVariants}
                    busy={busy || variants.isLoading}
                    nameOf={nameOf}
                    onMove={(from, to) => move(kind, from, to)}
                    onToggle={(enabled) => run(() => put(API.variant(record.documentId), { enabled }))}
                    onEdit={() => setDialog({ variant: record })}
                    onDelete={() => remove(record)}
                  />
                ))}
              </Flex>
            )}
          </Flex>
        ))}
      {records.length > 0 && (
        <Flex direction="column" alignItems="stretch" gap={1} data-testid="panel-otherwise">
          <Typography variant="omega" fontWeight="bold" tag="h4">
            {t('panel.list.otherwise', 'Otherwise: this entry')}
          </Typography>
          {baseServed && (
            <Typography variant="pi" textColor="neutral800">
              {t('panel.served.base', 'Served {served, number} times in the last 7 days ({share, number, percent}).', {
                served: baseServed.served,
                share: baseServed.share ?? 0,
              })}
            </Typography>
          )}
        </Flex>
      )}

      {can.manageVariants && !isVariant && (
        <Button variant="secondary" startIcon={<Plus />} fullWidth onClick={() => setDialog({})} disabled={busy}>
          {t('panel.create', 'Create variant')}
        </Button>
      )}

      {records.length > 0 && (
        <Button variant="tertiary" startIcon={<Eye />} fullWidth onClick={() => setPreviewing(true)}>
          {t('panel.preview', 'Preview as a visitor')}
        </Button>
      )}
      {previewing && baseDocumentId && (
        <PreviewDialog
          onClose={() => setPreviewing(false)}
          contentType={contentType}
          baseDocumentId={baseDocumentId}
          locale={locale}
          settings={settings}
          variants={records}
        />
      )}

      {baseDocumentId && <ExperimentPanelSection model={model} baseDocumentId={baseDocumentId} variants={records} isBase={!isVariant} />}

      {dialog && baseDocumentId && (
        <VariantDialog
          open
          onOpenChange={(open) => !open && setDialog(null)}
          contentType={contentType}
          baseDocumentId={baseDocumentId}
          variant={dialog.variant}
          settings={settings}
          onSaved={(record) => {
            setDialog(null);
            if (dialog.variant) {
              toggleNotification({ type: 'success', message: t('panel.saved', 'Settings of “{name}” saved.', { name: record.name }) });
              variants.reload();
            } else {
              toggleNotification({
                type: 'success',
                message: t('panel.created', 'Variant “{name}” created as a draft. Edit its content, then publish it.', { name: record.name }),
              });
              navigate(editorPath(record.variantDocumentId));
            }
          }}
        />
      )}
    </Flex>
  );
};
