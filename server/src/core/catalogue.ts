/**
 * The attribute catalogue: every attribute a rule may read, its type, where it comes from
 * and the consent purpose that unlocks it. Pure module: no Strapi import.
 */
import type { AttributeSource, AttributeType, Purpose } from '../../../shared/contracts/settings';
import { toSemver } from './rules/semver';

export type { AttributeSource, AttributeType, Purpose };

export interface AttributeDefinition {
  type: AttributeType;
  source: AttributeSource;
  /** Consent purpose that unlocks the attribute; built-ins have none. */
  purpose?: string;
  /** What editors read instead of the name. */
  title?: string;
  description?: string;
  /** Allowed values of a `string` or `string[]` attribute: rules may compare it only with these. */
  values?: readonly string[];
  /** Editors' words for values, by the value written as a string. */
  labels?: Readonly<Record<string, string>>;
  /** Inclusive bounds of a `number` attribute. */
  min?: number;
  max?: number;
  /** Whole numbers only. */
  integer?: boolean;
}

export type Catalogue = Readonly<Record<string, AttributeDefinition>>;

/** Non-personal attributes every rule may read without consent. */
export const BUILTIN_ATTRIBUTES: Catalogue = Object.freeze({
  now: { type: 'date', source: 'builtin', title: 'Date and time', description: 'Request time (ISO 8601, UTC).' },
  weekday: {
    type: 'number',
    source: 'builtin',
    title: 'Weekday',
    description: 'Day of the week in the configured time zone, 0 = Sunday … 6 = Saturday.',
    min: 0,
    max: 6,
    integer: true,
    // English day names: the admin translates them; the labels name what each number means.
    labels: Object.freeze({
      0: 'Sunday',
      1: 'Monday',
      2: 'Tuesday',
      3: 'Wednesday',
      4: 'Thursday',
      5: 'Friday',
      6: 'Saturday',
    }),
  },
  hour: {
    type: 'number',
    source: 'builtin',
    title: 'Hour',
    description: 'Hour 0–23 in the configured time zone.',
    min: 0,
    max: 23,
    integer: true,
  },
  locale: { type: 'string', source: 'builtin', title: 'Locale', description: 'Requested content locale.' },
});

/** The purpose every targeted variant needs on top of its own requirements. */
export const PERSONALIZATION_PURPOSE = 'personalization';

export const DEFAULT_PURPOSES: readonly Purpose[] = Object.freeze([
  {
    key: 'necessary',
    title: 'Strictly necessary',
    description: 'Needed for the site to work. Always on.',
  },
  {
    key: 'functional',
    title: 'Functional',
    description: 'Remembers choices such as language or region.',
  },
  {
    key: 'personalization',
    title: 'Personalization',
    description: 'Shows content chosen for you from what you decided to share.',
  },
  {
    key: 'measurement',
    title: 'Measurement',
    description: 'Counts visits to improve the site, without identifying you.',
  },
  {
    key: 'marketing',
    title: 'Marketing',
    description: 'Shows campaigns and offers tailored to you.',
  },
]);

/** Merges the configured attributes with the built-ins (built-ins cannot be overridden). */
export function fullCatalogue(configured: Catalogue): Catalogue {
  return Object.freeze({ ...configured, ...BUILTIN_ATTRIBUTES });
}

/** True when a value has the declared attribute type. Dates are ISO 8601 strings. */
export function hasAttributeType(type: AttributeType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'date':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'version':
      return typeof value === 'string' && toSemver(value) !== null;
    default:
      return false;
  }
}

/**
 * Keeps only the attributes a rule may see: declared in the catalogue for that source, of the
 * declared type, and whose purpose is granted. Everything else is absent, so rules fail closed.
 * Returns a null-prototype object so no inherited key is ever visible to a rule.
 */
export function visibleAttributes(
  catalogue: Catalogue,
  source: Exclude<AttributeSource, 'builtin'>,
  granted: ReadonlySet<string>,
  raw: unknown
): Record<string, unknown> {
  const visible: Record<string, unknown> = Object.create(null);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return visible;
  for (const name of Object.keys(raw)) {
    if (!Object.prototype.hasOwnProperty.call(catalogue, name)) continue;
    const definition = catalogue[name];
    if (definition.source !== source) continue;
    if (!definition.purpose || !granted.has(definition.purpose)) continue;
    const value = (raw as Record<string, unknown>)[name];
    if (!hasAttributeType(definition.type, value)) continue;
    visible[name] = value;
  }
  return visible;
}
