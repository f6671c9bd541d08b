/**
 * The server's reachability warnings of a variant (`ReachabilityWarning`), in words: why it may
 * never be served. They never block saving; the server emits one only when it is certain.
 */
import { Box, Flex, Typography } from '@strapi/design-system';
import { WarningCircle } from '@strapi/icons';
import type { ReachabilityWarning } from '../../../shared/contracts';
import { useT } from '../hooks/useT';

export function useWarningText() {
  const t = useT();
  /** `nameOf` turns a variant key into the name editors gave it. */
  return (warning: ReachabilityWarning, nameOf: (key: string) => string, formatDate: (value: string) => string): string => {
    switch (warning.code) {
      case 'shadowed':
        return t(
          'warning.shadowed',
          'Never served: “{by}” comes first and is served to every visitor this one could be served to. Move this one above it or narrow “{by}”.',
          { by: nameOf(warning.by) }
        );
      case 'mass-after-unconditional':
        return t(
          'warning.massAfterUnconditional',
          'Never served: the mass variant “{by}” comes first and applies to everyone, always.',
          { by: nameOf(warning.by) }
        );
      case 'schedule-ended':
        return t('warning.scheduleEnded', 'Its schedule ended on {endsAt}.', { endsAt: formatDate(warning.endsAt) });
      default:
        return t('warning.purposeNeverGranted', 'Never served: it needs the purpose “{purpose}”, which this site never asks visitors for.', {
          purpose: warning.purpose,
        });
    }
  };
}

interface Props {
  warnings: ReachabilityWarning[];
  nameOf(key: string): string;
  formatDate(value: string): string;
}

export const ReachabilityWarnings = ({ warnings, nameOf, formatDate }: Props) => {
  const text = useWarningText();
  if (warnings.length === 0) return null;
  return (
    <Box background="warning100" borderColor="warning200" borderStyle="solid" borderWidth="1px" hasRadius padding={2} data-testid="reachability-warnings">
      <Flex direction="column" alignItems="stretch" gap={1}>
        {warnings.map((warning) => (
          <Flex key={`${warning.code}:${'by' in warning ? warning.by : ''}`} gap={1} alignItems="flex-start">
            <WarningCircle fill="warning600" aria-hidden width="1.2rem" height="1.2rem" />
            <Typography variant="pi" textColor="warning700">
              {text(warning, nameOf, formatDate)}
            </Typography>
          </Flex>
        ))}
      </Flex>
    </Box>
  );
};
