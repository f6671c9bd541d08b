/**
 * The object a rule reads: the built-ins (`now`, `weekday`, `hour`, `locale`) plus the attributes
 * consent lets it see. Filtering by consent is `visibleAttributes` in catalogue.ts; this module
 * only adds the built-ins, which need no consent because they say nothing about the visitor.
 */
import { BUILTIN_ATTRIBUTES, type Catalogue } from '../catalogue';

export interface BuiltinContext {
  /** The request instant, ISO 8601 in UTC. */
  readonly now: string;
  /** 0 = Sunday … 6 = Saturday, in the configured time zone. */
  readonly weekday: number;
  /** 0–23 in the configured time zone. */
  readonly hour: number;
  readonly locale?: string;
}

export interface RuleContextInput {
  readonly now: Date;
  /** IANA zone for `hour` and `weekday`; the config schema checks it at startup. */
  readonly timeZone: string;
  /** The requested content locale, when the request names one. */
  readonly locale?: string;
  /** Already filtered by consent (`visibleAttributes`). */
  readonly attributes: Readonly<Record<string, unknown>>;
  /**
   * The catalogue, when known: every context then holds its attribute names in the same order,
   * absent ones as `undefined` (which rules read exactly like a missing key), and nothing else.
   * One object layout for every visitor lets V8 compile each attribute read to a single check.
   */
  readonly catalogue?: Catalogue;
}

/** A null-prototype record: no inherited key is visible to a rule. */
export type RuleContext = Readonly<Record<string, unknown>>;

const WEEKDAYS: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // h23: midnight is hour 0, never 24.
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric', weekday: 'short' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  readonly weekday: number;
  readonly hour: number;
}

function wallClock(instant: number, timeZone: string): WallClock {
  let weekday = NaN;
  let hour = NaN;
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type === 'weekday') weekday = WEEKDAYS[part.value];
    else if (part.type === 'hour') hour = Number(part.value);
  }
  return { weekday, hour };
}

// Zone offsets and their changes fall on whole minutes, so every instant of a UTC minute has the
// same local hour and weekday: one Intl call per minute instead of one per request.
let cachedZone = '';
let cachedMinute = NaN;
let cachedClock: WallClock = { weekday: NaN, hour: NaN };

/** Throws a RangeError for an invalid date or an unknown time zone. */
function wallClockAt(now: Date, timeZone: string): WallClock {
  const instant = now.getTime();
  if (Number.isNaN(instant)) throw new RangeError('Invalid time value');
  const minute = Math.floor(instant / 60_000);
  if (minute !== cachedMinute || timeZone !== cachedZone) {
    cachedClock = wallClock(instant, timeZone);
    cachedZone = timeZone;
    cachedMinute = minute;
  }
  return cachedClock;
}

// toISOString costs more than the rest of the context; requests in the same second share all but
// the milliseconds, so the seconds part is formatted once per second.
const MILLISECOND_SUFFIXES = Array.from({ length: 1000 }, (_, ms) => `.${String(ms).padStart(3, '0')}Z`);
let cachedSecond = NaN;
let cachedSecondText = '';

function isoInstant(now: Date): string {
  const instant = now.getTime();
  const second = Math.floor(instant / 1000);
  if (second !== cachedSecond) {
    cachedSecondText = now.toISOString().slice(0, -5); // drop ".sssZ"
    cachedSecond = second;
  }
  return cachedSecondText + MILLISECOND_SUFFIXES[instant - second * 1000];
}

/** Throws a RangeError for an invalid date or an unknown time zone. */
export function builtinContext(now: Date, timeZone: string, locale?: string): BuiltinContext {
  const { weekday, hour } = wallClockAt(now, timeZone);
  const iso = isoInstant(now);
  return locale === undefined ? { now: iso, weekday, hour } : { now: iso, weekday, hour, locale };
}

function isBuiltin(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(BUILTIN_ATTRIBUTES, name);
}

type ContextBuilder = (attributes: Readonly<Record<string, unknown>>, context: Record<string, unknown>) => void;

/** Copies the named attributes, absent ones as `undefined`, in the order given. */
function copyAttributes(names: readonly string[]): ContextBuilder {
  return (attributes, context) => {
    for (const name of names) {
      context[name] = Object.prototype.hasOwnProperty.call(attributes, name) ? attributes[name] : undefined;
    }
  };
}

/**
 * `copyAttributes` as generated code, one statement per name: constant keys make every store a
 * single step, where a loop's computed keys go through V8's generic path (about 3× slower).
 * Names enter the code only as JSON string literals.
 */
function generatedCopy(names: readonly string[]): ContextBuilder {
  try {
    const statements = names.map((name) => {
      const key = JSON.stringify(name);
      return `context[${key}] = has.call(attributes, ${key}) ? attributes[${key}] : undefined;`;
    });
    const make = new Function('has', `return (attributes, context) => { ${statements.join('\n')} };`);
    return make(Object.prototype.hasOwnProperty) as ContextBuilder;
  } catch {
    return copyAttributes(names); // a host without code generation
  }
}

const copiers = new WeakMap<Catalogue, ContextBuilder>();

function copierFor(catalogue: Catalogue): ContextBuilder {
  let copy = copiers.get(catalogue);
  if (!copy) {
    // Built-ins are computed here; a same-named attribute must not shadow them.
    copy = generatedCopy(Object.keys(catalogue).filter((name) => !isBuiltin(name)));
    copiers.set(catalogue, copy);
  }
  return copy;
}

/** Throws a RangeError for an invalid date or an unknown time zone. */
export function buildRuleContext(input: RuleContextInput): RuleContext {
  const clock = wallClockAt(input.now, input.timeZone);
  // Null prototype set before any key, so even a key named __proto__ is a plain property; made
  // from a literal rather than Object.create(null), which V8 keeps as a slower dictionary.
  const context: Record<string, unknown> = Object.setPrototypeOf({}, null);
  context.now = isoInstant(input.now);
  context.weekday = clock.weekday;
  context.hour = clock.hour;
  const { attributes, catalogue } = input;
  if (catalogue) {
    context.locale = input.locale;
    copierFor(catalogue)(attributes, context);
  } else {
    if (input.locale !== undefined) context.locale = input.locale;
    copyAttributes(Object.keys(attributes).filter((name) => !isBuiltin(name)))(attributes, context);
  }
  return context;
}
