/** How experiments and their arms are named and summed up wherever the admin shows them. */
import * as React from 'react';
import { Badge } from '@strapi/design-system';
import type { ExperimentArm, Experiment, VariantRecord } from '../api';
import { useT } from '../hooks/useT';
import type { ArmNames } from './ExperimentVerdict';

/** Where the Experiments page lives: a menu entry of its own (see the admin's register). */
export const EXPERIMENTS_PATH = '/plugins/personalization-experiments';

/** Arms named after the variants they serve ("Variant “Outdoor fans”"), the base arm as "the base". */
export function useArmNames(variants: readonly VariantRecord[] | undefined): ArmNames {
  const t = useT();
  return React.useMemo(() => {
    const names = new Map((variants ?? []).map((variant) => [variant.key, variant.name]));
    const nameOf = (arm: Pick<ExperimentArm, 'variant'>) => (arm.variant === null ? null : (names.get(arm.variant) ?? arm.variant));
    return {
      subject: (arm) => {
        const name = nameOf(arm);
        return name === null ? t('experiments.arm.baseSubject', 'The base') : t('experiments.arm.variantSubject', 'Variant “{name}”', { name });
      },
      object: (arm) => {
        const name = nameOf(arm);
        return name === null ? t('experiments.arm.baseObject', 'the base') : t('experiments.arm.variantObject', 'variant “{name}”', { name });
      },
    };
  }, [t, variants]);
}

/** "The base 50% · Variant “B” 50%". */
export function useArmsSummary(names: ArmNames) {
  const t = useT();
  return (arms: readonly ExperimentArm[]) =>
    arms
      .map((arm) =>
        t('experiments.arm.summary', '{arm} {weight}%', {
          arm: names.subject(arm),
          weight: Math.round(arm.weight * 1000) / 10,
        })
      )
      .join(' · ');
}

export const ExperimentStatusBadge = ({ experiment }: { experiment: Pick<Experiment, 'status' | 'promotedArm'> }) => {
  const t = useT();
  if (experiment.status === 'running') {
    return (
      <Badge variant="success" size="S">
        {t('experiments.status.running', 'Running')}
      </Badge>
    );
  }
  if (experiment.status === 'stopped') {
    return (
      <Badge variant="neutral" size="S">
        {experiment.promotedArm
          ? t('experiments.status.promoted', 'Promoted: {arm}', { arm: experiment.promotedArm })
          : t('experiments.status.stopped', 'Stopped')}
      </Badge>
    );
  }
  return (
    <Badge variant="secondary" size="S">
      {t('experiments.status.draft', 'Draft')}
    </Badge>
  );
};
