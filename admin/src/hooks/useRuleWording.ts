import * as React from 'react';
import { useIntl } from 'react-intl';
import type { Wording } from '../rules/describe';
import type { CatalogueAttribute, Scalar } from '../rules/model';
import { useT } from './useT';

/** Default English labels of the builder's operators (ids from rules/model.ts). */
export const OPERATOR_LABELS: Record<string, string> = {
  equals: 'is',
  notEquals: 'is not',
  oneOf: 'is one of',
  contains: 'contains',
  includesExactly: 'contains exactly',
  startsWith: 'starts with',
  endsWith: 'ends with',
  lessThan: 'is less than',
  atMost: 'is at most',
  greaterThan: 'is greater than',
  atLeast: 'is at least',
  from: 'is from … to',
  before: 'is before',
  after: 'is after',
  between: 'is between',
  versionAtLeast: 'is version ≥',
  versionAbove: 'is version >',
  versionAtMost: 'is version ≤',
  versionBelow: 'is version <',
};

/** 2023-01-01 was a Sunday: weekday 0. */
const SUNDAY = Date.UTC(2023, 0, 1);

/** Operator labels, weekday names and value formatting for the builder and audience summaries. */
export function useRuleWording() {
  const t = useT();
  const { formatDate } = useIntl();

  return React.useMemo(() => {
    const operatorLabel = (id: string) => t(`rules.operator.${id}`, OPERATOR_LABELS[id] ?? id);
    const weekdayName = (day: number) => formatDate(SUNDAY + day * 86_400_000, { weekday: 'long', timeZone: 'UTC' });
    const formatValue = (attribute: CatalogueAttribute | undefined, value: Scalar): string => {
      if (attribute?.name === 'weekday' && typeof value === 'number') return weekdayName(value);
      if (attribute?.type === 'date' && typeof value === 'string') {
        return formatDate(value, { dateStyle: 'medium', timeStyle: 'short' });
      }
      return typeof value === 'string' ? `“${value}”` : String(value);
    };
    const wording: Wording = {
      operator: operatorLabel,
      and: t('rules.and', 'and'),
      or: t('rules.or', 'or'),
      not: t('rules.not', 'not'),
      everyone: t('rules.everyone', 'everyone'),
      custom: (names) =>
        names.length
          ? t('rules.custom', 'a custom rule reading {names}', { names: names.join(', ') })
          : t('rules.customNoAttributes', 'a custom rule'),
      value: formatValue,
    };
    return { operatorLabel, weekdayName, formatValue, wording };
  }, [t, formatDate]);
}
