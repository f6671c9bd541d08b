/**
 * One variant in the side panel's lists: its place in its list, where it stands (badge), to whom
 * it is served, how often it was served, why it may never be, and its actions. Dragged by its
 * handle within its own list; the arrows move it with the keyboard.
 */
import * as React from 'react';
import { Badge, Box, Dialog, Flex, IconButton, Link, Switch, Typography } from '@strapi/design-system';
import { ArrowDown, ArrowUp, Cog, Drag, Trash } from '@strapi/icons';
import { ConfirmDialog } from '@strapi/strapi/admin';
import { NavLink } from 'react-router-dom';
import type { PluginSettings, ServedCount, VariantListItem } from '../api';
import { useRuleWording } from '../hooks/useRuleWording';
import { useSegmentNames } from '../hooks/useSegmentNames';
import { usePurposeTitles } from '../hooks/usePurposeTitles';
import { useT } from '../hooks/useT';
import { describeRule } from '../rules/describe';
import { useSchedule } from '../utils/schedule';
import { ReachabilityWarnings } from './ReachabilityWarnings';
import { useSortableItem } from './SortableItem';
import { VariantStatusBadge } from './VariantStatusBadge';

export type PublicationStatus = 'draft' | 'published' | 'modified';

interface Props {
  record: VariantListItem;
  /** Which list it is in (its kind) and where: numbering and dragging are per list. */
  list: string;
  index: number;
  count: number;
  isCurrent: boolean;
  /** Publication in the locale being edited. */
  publication: PublicationStatus | 'missing' | undefined;
  served: ServedCount | undefined;
  settings: PluginSettings;
  href: string;
  canManage: boolean;
  busy: boolean;
  nameOf(key: string): string;
  onMove(from: number, to: number): void;
  onToggle(enabled: boolean): void;
  onEdit(): void;
  onDelete(): void;
}

export const PanelVariantItem = (props: Props) => {
  const { record, list, index, count, isCurrent, publication, served, settings, href, canManage, busy, nameOf } = props;
  const t = useT();
  const { wording } = useRuleWording();
  const schedule = useSchedule(settings.timeZone);
  const [confirming, setConfirming] = React.useState(false);
  const sortable = useSortableItem({ list, itemKey: record.key, index, canDrag: canManage && !busy && count > 1, onMove: props.onMove });
  const titles = usePurposeTitles(settings.purposes);
  const purposes = new Set(record.requiredPurposes ?? []);
  if (record.kind === 'targeted') purposes.add('personalization');
  const audience = describeRule(record.audience ?? null, settings.attributes, wording);
  const segments = record.segments ?? [];
  const segmentName = useSegmentNames(segments.length > 0);
  const move = (by: -1 | 1) => !busy && props.onMove(index, index + by);

  return (
    <Box
      tag="li"
      ref={sortable.itemRef}
      padding={3}
      hasRadius
      background={isCurrent ? 'primary100' : 'neutral0'}
      borderColor={sortable.isOver ? 'primary500' : isCurrent ? 'primary600' : 'neutral200'}
      borderStyle={sortable.isOver ? 'dashed' : 'solid'}
      borderWidth="1px"
      aria-current={isCurrent ? 'page' : undefined}
      aria-label={record.name}
      data-key={record.key}
      style={sortable.isDragging ? { opacity: 0.5 } : undefined}
    >
      <Flex direction="column" alignItems="stretch" gap={2}>
        <Flex justifyContent="space-between" alignItems="flex-start" gap={2}>
          <Flex gap={2} alignItems="baseline">
            {canManage && count > 1 && (
              <Box ref={sortable.handleRef} cursor="grab" data-testid="drag-handle" title={t('panel.drag', 'Drag to reorder “{name}”', { name: record.name })}>
                <Drag aria-hidden width="1.2rem" height="1.2rem" fill="neutral500" />
              </Box>
            )}
            <Typography variant="pi" textColor="neutral600">
              {index + 1}.
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
          <VariantStatusBadge status={record.status} />
        </Flex>
        <Detail label={t('panel.audience', 'Audience')} value={audience} />
        {segments.length > 0 && <Detail label={t('panel.segments', 'Segments')} value={segments.map(segmentName).join(', ')} />}
        <Detail
          label={t('panel.consent', 'Consent')}
          value={purposes.size ? [...purposes].map((key) => titles.get(key) ?? key).join(', ') : t('panel.consent.none', 'none needed')}
        />
        <Detail label={t('panel.schedule', 'Schedule')} value={schedule.describe(record.startsAt, record.endsAt)} />
        {served && (
          <Detail
            label={t('panel.served', 'Served (7 days)')}
            value={
              served.share === null
                ? t('panel.served.count', '{served, number} times', { served: served.served })
                : t('panel.served.share', '{served, number} times, {share, number, percent} of this entry’s responses', {
                    served: served.served,
                    share: served.share,
                  })
            }
          />
        )}
        {publication && publication !== 'published' && record.status !== 'draft' && (
          <Flex gap={1} wrap="wrap">
            <Badge size="S" variant={publication === 'modified' ? 'alternative' : 'warning'}>
              {publication === 'modified'
                ? t('status.modified', 'Modified')
                : publication === 'missing'
                  ? t('status.missing', 'Not in this locale')
                  : t('status.localeDraft', 'Draft in this locale')}
            </Badge>
          </Flex>
        )}
        <ReachabilityWarnings warnings={record.warnings ?? []} nameOf={nameOf} formatDate={schedule.when} />
        {canManage && (
          <Flex justifyContent="space-between" alignItems="center" gap={1}>
            <Switch
              checked={record.enabled}
              disabled={busy}
              onCheckedChange={(checked) => props.onToggle(checked)}
              aria-label={t('panel.enabled', 'Enabled: {name}', { name: record.name })}
            />
            <Flex gap={1}>
              {/* An arrow that cannot move the item is left out (a disabled one reads as pressed). */}
              {index > 0 ? (
                <IconButton label={t('panel.moveUp', 'Move “{name}” up', { name: record.name })} variant="ghost" size="S" onClick={() => move(-1)}>
                  <ArrowUp />
                </IconButton>
              ) : (
                <ArrowPlaceholder />
              )}
              {index < count - 1 ? (
                <IconButton label={t('panel.moveDown', 'Move “{name}” down', { name: record.name })} variant="ghost" size="S" onClick={() => move(1)}>
                  <ArrowDown />
                </IconButton>
              ) : (
                <ArrowPlaceholder />
              )}
              <IconButton label={t('panel.edit', 'Settings of “{name}”', { name: record.name })} variant="ghost" size="S" disabled={busy} onClick={props.onEdit}>
                <Cog />
              </IconButton>
              <Dialog.Root open={confirming} onOpenChange={setConfirming}>
                <Dialog.Trigger>
                  <IconButton label={t('panel.delete', 'Delete “{name}”', { name: record.name })} variant="ghost" size="S" disabled={busy}>
                    <Trash />
                  </IconButton>
                </Dialog.Trigger>
                <ConfirmDialog onConfirm={props.onDelete} variant="danger">
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

/** Keeps the other buttons in place where an arrow is left out. */
const ArrowPlaceholder = () => <Box width="3.2rem" height="3.2rem" aria-hidden />;

const Detail = ({ label, value }: { label: string; value: string }) => (
  <Typography variant="pi" textColor="neutral800">
    <Typography variant="pi" fontWeight="bold" textColor="neutral600">
      {label}:
    </Typography>{' '}
    {value}
  </Typography>
);
