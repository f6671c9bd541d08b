import * as React from 'react';
import { useIntl } from 'react-intl';
import type { Wording } from '../rules/describe';
import { boundsOf, choicesOf, titleOf, type AttributeType, type CatalogueAttribute, type Scalar } from '../rules/model';
import { useT } from './useT';

/** Default English labels of the builder's operators in its menu (ids from rules/model.ts). */
export const OPERATOR_LABELS: Record<string, string> = {
  equals: 'is',
  notEquals: 'is not',
  oneOf: 'is one of',
  contains: 'contains (any part, any case)',
  includesExactly: 'contains (same case)',
  startsWith: 'starts with',
  endsWith: 'ends with',
  lessThan: 'is less than',
  atMost: 'is at most',
  greaterThan: 'is more than',
  atLeast: 'is at least',
  from: 'is from … to …',
  before: 'is before',
  after: 'is after',
  between: 'is between … and …',
  versionAtLeast: 'is version … or later',
  versionAbove: 'is a version later than',
  versionAtMost: 'is version … or earlier',
  versionBelow: 'is a version earlier than',
};

/** Labels that differ by attribute type (`<operator>.<string|list>`): text is matched exactly by "is", lists hold items. */
export const TYPED_OPERATOR_LABELS: Record<string, string> = {
  'equals.string': 'is exactly',
  'contains.list': 'includes (any case)',
  'includesExactly.list': 'includes (same case)',
};

/** Default English sentences of a condition in audience summaries: `{attribute}`, `{value}`, `{from}`, `{to}`. */
export const SENTENCES: Record<string, string> = {
  equals: '{attribute} is {value}',
  notEquals: '{attribute} is not {value}',
  oneOf: '{attribute} is {value}',
  contains: '{attribute} contains {value}',
  includesExactly: '{attribute} contains exactly {value}',
  startsWith: '{attribute} starts with {value}',
  endsWith: '{attribute} ends with {value}',
  lessThan: '{attribute} is less than {value}',
  atMost: '{attribute} is at most {value}',
  greaterThan: '{attribute} is more than {value}',
  atLeast: '{attribute} is at least {value}',
  from: '{attribute} is from {from} to {to}',
  before: '{attribute} is before {value}',
  after: '{attribute} is after {value}',
  between: '{attribute} is between {from} and {to}',
  versionAtLeast: '{attribute} is version {value} or later',
  versionAbove: '{attribute} is a version later than {value}',
  versionAtMost: '{attribute} is version {value} or earlier',
  versionBelow: '{attribute} is a version earlier than {value}',
};

/** Default English names of the attribute types, for editors. */
export const TYPE_NAMES: Record<AttributeType, string> = {
  string: 'text',
  number: 'number',
  boolean: 'yes or no',
  'string[]': 'list of texts',
  date: 'date and time',
  version: 'version number',
};

/** Editors' words for the built-in attributes, which the server names in English only. */
export const BUILTIN_WORDS: Record<string, { title: string; description: string }> = {
  now: { title: 'Date and time', description: 'When the visitor asks for the content.' },
  weekday: { title: 'Weekday', description: 'Day of the week in the site’s time zone.' },
  hour: { title: 'Hour', description: 'Hour of the day, 0 to 23, in the site’s time zone.' },
  locale: { title: 'Locale', description: 'The language version the visitor asks for.' },
};

/** 2023-01-01 was a Sunday: weekday 0. */
const SUNDAY = Date.UTC(2023, 0, 1);

/** Operator labels, weekday names, type names and value formatting for the builder and audience summaries. */
export function useRuleWording() {
  const t = useT();
  const { formatDate, formatList } = useIntl();

  return React.useMemo(() => {
    const operatorLabel = (id: string, type?: AttributeType) => {
      const variant = type === 'string[]' ? 'list' : type;
      const typed = variant ? TYPED_OPERATOR_LABELS[`${id}.${variant}`] : undefined;
      return typed ? t(`rules.operator.${id}.${variant}`, typed) : t(`rules.operator.${id}`, OPERATOR_LABELS[id] ?? id);
    };
    const builtin = (attribute: CatalogueAttribute) => (attribute.source === 'builtin' ? BUILTIN_WORDS[attribute.name] : undefined);
    /** The attribute's title in the editor's language (built-ins) or as configured. */
    const attributeTitle = (attribute: CatalogueAttribute) => {
      const words = builtin(attribute);
      return words ? t(`rules.builtin.${attribute.name}.title`, words.title) : titleOf(attribute);
    };
    const attributeDescription = (attribute: CatalogueAttribute) => {
      const words = builtin(attribute);
      return words ? t(`rules.builtin.${attribute.name}.description`, words.description) : attribute.description;
    };
    const weekdayName = (day: number) => formatDate(SUNDAY + day * 86_400_000, { weekday: 'long', timeZone: 'UTC' });
    const typeName = (type: AttributeType) => t(`rules.type.${type === 'string[]' ? 'list' : type}`, TYPE_NAMES[type] ?? type);
    const formatValue = (attribute: CatalogueAttribute | undefined, value: Scalar): string => {
      if (attribute?.name === 'weekday' && typeof value === 'number') return weekdayName(value);
      if (attribute?.type === 'date' && typeof value === 'string') {
        return formatDate(value, { dateStyle: 'medium', timeStyle: 'short' });
      }
      const label = attribute?.labels?.[String(value)];
      if (label) return label;
      return typeof value === 'string' ? t('rules.value.quoted', '“{value}”', { value }) : String(value);
    };
    const either = (items: string[]) => formatList(items, { type: 'disjunction' }) as string;
    /** Why the catalogue refuses these values of the attribute, in one sentence. */
    const rangeProblem = (attribute: CatalogueAttribute, refused: Scalar[]): string => {
      const name = attributeTitle(attribute);
      const shown = either(refused.map((value) => formatValue(attribute, value)));
      const { min, max } = boundsOf(attribute);
      if (typeof refused[0] === 'number' && (min !== null || max !== null)) {
        if (min !== null && max !== null) {
          return t('rules.value.outOfRange', '{attribute} runs from {min} to {max}: {value} is outside.', { attribute: name, min, max, value: shown });
        }
        return min !== null
          ? t('rules.value.belowMin', '{attribute} is at least {min}: {value} is below.', { attribute: name, min, value: shown })
          : t('rules.value.aboveMax', '{attribute} is at most {max}: {value} is above.', { attribute: name, max, value: shown });
      }
      return t('rules.value.notListed', '{value} is not a value of {attribute}. Choose one of: {values}.', {
        attribute: name,
        value: shown,
        values: (choicesOf(attribute) ?? []).map((value) => formatValue(attribute, value)).join(', '),
      });
    };
    const wording: Wording = {
      condition: (attribute, operator, values) => {
        const named = attribute ? attributeTitle(attribute) : '…';
        const [from = '…', to = '…'] = values;
        return t(`rules.sentence.${operator}`, SENTENCES[operator] ?? `{attribute} ${operator} {value}`, {
          attribute: named,
          value: operator === 'oneOf' ? either(values) : values.join(', '),
          from,
          to,
        });
      },
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
    return { operatorLabel, weekdayName, typeName, attributeTitle, attributeDescription, formatValue, rangeProblem, wording };
  }, [t, formatDate, formatList]);
}
