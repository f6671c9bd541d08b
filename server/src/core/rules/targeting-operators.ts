/**
 * Operators a targeting language needs on top of core JSON Logic: instants, case-insensitive
 * string matching, array membership, app versions. Each is a pure test over prepared operands;
 * a literal operand is prepared once when the rule compiles (a parsed date, a lower-cased
 * prefix), an operand read from the context on every call. Bad or missing operands make the
 * test false, like a failed comparison, instead of failing the whole rule.
 */
import {
  endsWithIgnoringCase,
  equalsIgnoringCase,
  includesIgnoringCase,
  startsWithIgnoringCase,
} from './ignoring-case';
import { toInstant } from './iso-date';
import { compareSemver, toSemver, type SemanticVersion } from './semver';

export interface TargetingOperator {
  /** One preparation per operand position; `prepare.length` is the operator's arity. */
  readonly prepare: readonly ((operand: unknown) => unknown)[];
  readonly test: (...prepared: never[]) => boolean;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function lowerCaseText(value: unknown): string | null {
  return typeof value === 'string' ? value.toLowerCase() : null;
}

function lowerCaseIfText(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

function haystack(value: unknown): unknown {
  return typeof value === 'string' || Array.isArray(value) ? value : null;
}

/** Case-insensitive substring for text, membership for arrays (case-insensitive for strings). */
function contains(within: unknown, needle: unknown): boolean {
  if (typeof within === 'string') return typeof needle === 'string' && includesIgnoringCase(within, needle);
  if (!Array.isArray(within)) return false;
  for (const item of within) {
    if (item === needle) return true;
    if (typeof item === 'string' && typeof needle === 'string' && equalsIgnoringCase(item, needle)) return true;
  }
  return false;
}

function versionTest(accept: (order: number) => boolean) {
  return (a: SemanticVersion | null, b: SemanticVersion | null): boolean =>
    a !== null && b !== null && accept(compareSemver(a, b));
}

const instants = (count: number) => new Array<(operand: unknown) => unknown>(count).fill(toInstant);
const versions = [toSemver, toSemver];

export const TARGETING_OPERATORS = {
  before: { prepare: instants(2), test: (a: number, b: number) => a < b },
  after: { prepare: instants(2), test: (a: number, b: number) => a > b },
  /** Half-open window: start ≤ value < end, so back-to-back campaigns never overlap. */
  between: { prepare: instants(3), test: (value: number, start: number, end: number) => start <= value && value < end },
  starts_with: {
    prepare: [text, lowerCaseText],
    test: (value: string | null, prefix: string | null) =>
      value !== null && prefix !== null && startsWithIgnoringCase(value, prefix),
  },
  ends_with: {
    prepare: [text, lowerCaseText],
    test: (value: string | null, suffix: string | null) =>
      value !== null && suffix !== null && endsWithIgnoringCase(value, suffix),
  },
  contains: { prepare: [haystack, lowerCaseIfText], test: contains },
  semver_eq: { prepare: versions, test: versionTest((order) => order === 0) },
  semver_gt: { prepare: versions, test: versionTest((order) => order > 0) },
  semver_gte: { prepare: versions, test: versionTest((order) => order >= 0) },
  semver_lt: { prepare: versions, test: versionTest((order) => order < 0) },
  semver_lte: { prepare: versions, test: versionTest((order) => order <= 0) },
} satisfies Record<string, TargetingOperator>;

export type TargetingOperatorName = keyof typeof TARGETING_OPERATORS;
