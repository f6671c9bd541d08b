/**
 * Where a variant stands now, as the server decides it (`VariantStatus`): one badge, the same in
 * the side panel, the variant dialog and the Overview.
 */
import { Badge, type BadgeProps } from '@strapi/design-system';
import type { VariantStatus } from '../../../shared/contracts';
import { useT } from '../hooks/useT';

const VARIANTS: Record<VariantStatus, NonNullable<BadgeProps['variant']>> = {
  live: 'success',
  scheduled: 'primary',
  ended: 'neutral',
  disabled: 'neutral',
  draft: 'warning',
};

export function useStatusLabel() {
  const t = useT();
  return (status: VariantStatus): string => {
    switch (status) {
      case 'live':
        return t('status.live', 'Live');
      case 'scheduled':
        return t('status.scheduled', 'Scheduled');
      case 'ended':
        return t('status.ended', 'Ended');
      case 'disabled':
        return t('status.disabled', 'Disabled');
      default:
        return t('status.draft', 'Draft');
    }
  };
}

export const VariantStatusBadge = ({ status }: { status: VariantStatus }) => {
  const label = useStatusLabel();
  return (
    <Badge size="S" variant={VARIANTS[status]} data-status={status}>
      {label(status)}
    </Badge>
  );
};
