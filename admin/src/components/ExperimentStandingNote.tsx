/**
 * One line under an entry in the simulator: whether a visitor like the one described takes part in
 * the experiment running on the entry, and then the arms they get by weight, or why not.
 */
import { Typography } from '@strapi/design-system';
import type { ExperimentStanding, NotEnrolledReason } from '../../../shared/contracts';
import { useT } from '../hooks/useT';

const percent = (share: number) => Math.round(share * 1000) / 10;

export const ExperimentStandingNote = ({ standing }: { standing: ExperimentStanding }) => {
  const t = useT();
  const reasons: Record<NotEnrolledReason, string> = {
    'consent-missing': t('simulator.experiment.consentMissing', 'consent to its purpose is not granted'),
    'rule-false': t('simulator.experiment.ruleFalse', 'the visitor is outside its audience or segments'),
    'arm-unavailable': t('simulator.experiment.armUnavailable', 'one of its arms cannot be served to this visitor'),
    'not-covered': t('simulator.experiment.notCovered', 'the visitor is outside its coverage'),
  };
  let text: string;
  if (standing.enrolled === 'by-weight') {
    const arms = standing.arms
      .map((arm) => `${arm.variant === null ? t('simulator.experiment.base', '{arm} (base entry)', { arm: arm.key }) : arm.key} ${percent(arm.weight)}%`)
      .join(', ');
    text =
      standing.coverage < 1
        ? t('simulator.experiment.byWeightCoverage', 'Experiment {key}: {coverage}% of such visitors take part, each keeping one arm by weight: {arms}. The others get what is shown above.', {
            key: standing.key,
            coverage: percent(standing.coverage),
            arms,
          })
        : t('simulator.experiment.byWeight', 'Experiment {key}: such visitors take part, each keeping one arm by weight: {arms}.', { key: standing.key, arms });
  } else if (standing.enrolled) {
    text = t('simulator.experiment.arm', 'Experiment {key}: arm {arm}.', { key: standing.key, arm: standing.arm });
  } else {
    text = t('simulator.experiment.notEnrolled', 'Not in experiment {key}: {reason}.', { key: standing.key, reason: reasons[standing.reason] });
  }
  return (
    <Typography variant="pi" textColor="primary600" data-testid="simulated-experiment">
      {text}
    </Typography>
  );
};
