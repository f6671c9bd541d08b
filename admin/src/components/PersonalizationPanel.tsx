/**
 * The Content Manager edit view's "Personalization" side panel: whether this document is a base
 * entry or a variant, the base's variants in the order delivery tries them, and the actions on
 * them. Registered in the admin bootstrap with `addEditViewSidePanel`.
 */
import * as React from 'react';
import { Badge, Box, Button, Dialog, Flex, IconButton, Link, Switch, Typography } from '@strapi/design-system';
import { ArrowDown, ArrowUp, Cog, Eye, Plus, Trash } from '@strapi/icons';
import { ConfirmDialog, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import { NavLink, useLocation, useNavigate } from 'react-router-dom';
import {
  API,
  problemOf,
  useResource,
  useSettings,
  type EnabledContentType,
  type PluginSettings,
  type VariantRecord,
} from '../api';
import { useRuleWording } from '../hooks/useRuleWording';
import { useSegmentNames } from '../hooks/useSegmentNames';
import { useT } from '../hooks/useT';
import { usePluginPermissions } from '../permissions';
import { describeRule } from '../rules/describe';
import { ExperimentPanelSection } from './ExperimentPanelSection';
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

type PublicationStatus = 'draft' | 'published' | 'modified';

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

  const variants = useResource<VariantRecord[]>(baseDocumentId ? API.variantsOf(model, baseDocumentId) : null);
  const records = variants.data ?? [];
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

  const move = (index: number, by: -1 | 1) => {
    const keys = records.map((record) => record.key);
    [keys[index], keys[index + by]] = [keys[index + by], keys[index]];
    return run(() => put(API.order(model, baseDocumentId!), { keys }));
  };

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
      {records.length > 1 && (
        <Typography variant="pi" textColor="neutral600">
          {t('panel.order', 'Targeted variants are tried first, then mass variants, each in this order.')}
        </Typography>
      )}
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

      <Flex tag="ol" direction="column" alignItems="stretch" gap={2} aria-label={t('panel.list', 'Variants in priority order')}>
        {records.map((record, index) => (
          <VariantItem
            key={record.documentId}
            record={record}
            position={index + 1}
            isCurrent={record.variantDocumentId === documentId}
            status={statuses[record.variantDocumentId]}
            settings={settings}
            href={editorPath(record.variantDocumentId)}
            canManage={can.manageVariants}
            busy={busy || variants.isLoading}
            isFirst={index === 0}
            isLast={index === records.length - 1}
            onMove={(by) => move(index, by)}
            onToggle={(enabled) => run(() => put(API.variant(record.documentId), { enabled }))}
            onEdit={() => setDialog({ variant: record })}
            onDelete={() => remove(record)}
          />
        ))}
      </Flex>

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

interface VariantItemProps {
  record: VariantRecord;
  position: number;
  isCurrent: boolean;
  status: PublicationStatus | 'missing' | undefined;
  settings: PluginSettings;
  href: string;
  canManage: boolean;
  busy: boolean;
  isFirst: boolean;
  isLast: boolean;
  onMove(by: -1 | 1): void;
  onToggle(enabled: boolean): void;
  onEdit(): void;
  onDelete(): void;
}

const VariantItem = ({ record, position, isCurrent, status, settings, href, canManage, busy, isFirst, isLast, onMove, onToggle, onEdit, onDelete }: VariantItemProps) => {
  const t = useT();
  const { formatDate } = useIntl();
  const { wording } = useRuleWording();
  const [confirming, setConfirming] = React.useState(false);
  const titles = new Map(settings.purposes.map((purpose) => [purpose.key, purpose.title]));
  const purposes = new Set(record.requiredPurposes ?? []);
  if (record.kind === 'targeted') purposes.add('personalization');
  const when = (value: string) => formatDate(value, { dateStyle: 'medium', timeStyle: 'short' });
  const schedule =
    record.startsAt && record.endsAt
      ? t('panel.schedule.window', '{from} – {to}', { from: when(record.startsAt), to: when(record.endsAt) })
      : record.startsAt
        ? t('panel.schedule.from', 'from {from}', { from: when(record.startsAt) })
        : record.endsAt
          ? t('panel.schedule.until', 'until {to}', { to: when(record.endsAt) })
          : t('panel.schedule.always', 'always');
  const audience = describeRule(record.audience ?? null, settings.attributes, wording);
  const segments = record.segments ?? [];
  const segmentName = useSegmentNames(segments.length > 0);

  return (
    <Box
      tag="li"
      padding={3}
      hasRadius
      background={isCurrent ? 'primary100' : 'neutral0'}
      borderColor={isCurrent ? 'primary600' : 'neutral200'}
      borderStyle="solid"
      borderWidth="1px"
      aria-current={isCurrent ? 'page' : undefined}
      aria-label={record.name}
    >
      <Flex direction="column" alignItems="stretch" gap={2}>
        <Flex justifyContent="space-between" alignItems="flex-start" gap={2}>
          <Flex gap={2} alignItems="baseline">
            <Typography variant="pi" textColor="neutral600">
              {position}.
            </Typography>
            {isCurrent ? (
              <Typography variant="omega" fontWeight="bold">
                {record.name}
              </Typography>
            ) : (
              <Link tag={NavLink} to={href}>
                {record.name}
              </Link>
            )}
          </Flex>
          <Badge variant={record.kind === 'targeted' ? 'primary' : 'alternative'} size="S">
            {record.kind === 'targeted' ? t('kind.targeted', 'Targeted') : t('kind.mass', 'Mass')}
          </Badge>
        </Flex>
        <Detail label={t('panel.audience', 'Audience')} value={audience} />
        {segments.length > 0 && <Detail label={t('panel.segments', 'Segments')} value={segments.map(segmentName).join(', ')} />}
        <Detail
          label={t('panel.consent', 'Consent')}
          value={purposes.size ? [...purposes].map((key) => titles.get(key) ?? key).join(', ') : t('panel.consent.none', 'none needed')}
        />
        <Detail label={t('panel.schedule', 'Schedule')} value={schedule} />
        <Flex gap={1} wrap="wrap">
          {status && (
            <Badge size="S" variant={status === 'published' ? 'success' : status === 'modified' ? 'alternative' : 'warning'}>
              {status === 'published'
                ? t('status.published', 'Published')
                : status === 'modified'
                  ? t('status.modified', 'Modified')
                  : status === 'missing'
                    ? t('status.missing', 'Not in this locale')
                    : t('status.draft', 'Draft')}
            </Badge>
          )}
          {!record.enabled && (
            <Badge size="S" variant="neutral">
              {t('status.disabled', 'Disabled')}
            </Badge>
          )}
        </Flex>
        {canManage && (
          <Flex justifyContent="space-between" alignItems="center" gap={1}>
            <Switch
              checked={record.enabled}
              disabled={busy}
              onCheckedChange={(checked) => onToggle(checked)}
              aria-label={t('panel.enabled', 'Enabled: {name}', { name: record.name })}
            />
            <Flex gap={1}>
              <IconButton label={t('panel.moveUp', 'Move “{name}” up', { name: record.name })} variant="ghost" size="S" disabled={busy || isFirst} onClick={() => onMove(-1)}>
                <ArrowUp />
              </IconButton>
              <IconButton label={t('panel.moveDown', 'Move “{name}” down', { name: record.name })} variant="ghost" size="S" disabled={busy || isLast} onClick={() => onMove(1)}>
                <ArrowDown />
              </IconButton>
              <IconButton label={t('panel.edit', 'Settings of “{name}”', { name: record.name })} variant="ghost" size="S" disabled={busy} onClick={onEdit}>
                <Cog />
              </IconButton>
              <Dialog.Root open={confirming} onOpenChange={setConfirming}>
                <Dialog.Trigger>
                  <IconButton label={t('panel.delete', 'Delete “{name}”', { name: record.name })} variant="ghost" size="S" disabled={busy}>
                    <Trash />
                  </IconButton>
                </Dialog.Trigger>
                <ConfirmDialog onConfirm={onDelete} variant="danger">
                  {t('panel.delete.confirm', 'Delete the variant “{name}” and its content in every locale? This cannot be undone.', {
                    name: record.name,
                  })}
                </ConfirmDialog>
              </Dialog.Root>
            </Flex>
          </Flex>
        )}
      </Flex>
    </Box>
  );
};

const Detail = ({ label, value }: { label: string; value: string }) => (
  <Typography variant="pi" textColor="neutral800">
    <Typography variant="pi" fontWeight="bold" textColor="neutral600">
      {label}:
    </Typography>{' '}
    {value}
  </Typography>
);
