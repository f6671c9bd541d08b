/**
 * Strict Semantic Versioning 2.0.0 precedence (semver.org §11) for the `semver_*` operators.
 * No ranges, no `v` prefix, no partial versions such as `1.2`: anything else is not a version,
 * and every comparison with it is false. No cache: visitor values must not outlive a request.
 */

export interface SemanticVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Pre-release identifiers; numeric ones as numbers. Empty for a release. */
  readonly prerelease: readonly (string | number)[];
}

// The regular expression semver.org publishes, with build metadata matched but not kept.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/;

const NO_PRERELEASE: readonly (string | number)[] = Object.freeze([]);

export function parseSemver(text: string): SemanticVersion | null {
  return parseRelease(text) ?? parseFull(text);
}

/** The common `MAJOR.MINOR.PATCH` form, scanned without a regular expression. */
function parseRelease(text: string): SemanticVersion | null {
  let major = 0;
  let minor = 0;
  let patch = 0;
  let part = 0;
  let value = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i < text.length ? text.charCodeAt(i) : 46; // a final '.'
    if (code === 46) {
      // Non-empty, no leading zero, at most three parts.
      if (i === start || (text.charCodeAt(start) === 48 && i - start > 1) || part > 2) return null;
      if (part === 0) major = value;
      else if (part === 1) minor = value;
      else patch = value;
      part++;
      value = 0;
      start = i + 1;
    } else if (code >= 48 && code <= 57) {
      value = value * 10 + (code - 48);
    } else {
      return null;
    }
  }
  if (part !== 3 || !Number.isSafeInteger(major) || !Number.isSafeInteger(minor) || !Number.isSafeInteger(patch)) {
    return null;
  }
  return { major, minor, patch, prerelease: NO_PRERELEASE };
}

function parseFull(text: string): SemanticVersion | null {
  const match = SEMVER.exec(text);
  if (match === null) return null;
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number);
  if (![major, minor, patch].every(Number.isSafeInteger)) return null;
  const prerelease = match[4] === undefined ? [] : match[4].split('.').map(toIdentifier);
  if (prerelease.some((id) => typeof id === 'number' && !Number.isSafeInteger(id))) return null;
  return { major, minor, patch, prerelease };
}

function toIdentifier(id: string): string | number {
  return /^\d+$/.test(id) ? Number(id) : id;
}

/** Negative, zero or positive as `a` has lower, equal or higher precedence than `b`. */
export function compareSemver(a: SemanticVersion, b: SemanticVersion): number {
  return (
    a.major - b.major ||
    a.minor - b.minor ||
    a.patch - b.patch ||
    comparePrerelease(a.prerelease, b.prerelease)
  );
}

function comparePrerelease(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  // A release ranks above any of its pre-releases.
  if (a.length === 0 || b.length === 0) return b.length - a.length;
  for (let i = 0; i < a.length && i < b.length; i++) {
    const order = compareIdentifier(a[i], b[i]);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

function compareIdentifier(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  // Numeric identifiers rank below alphanumeric ones; alphanumerics compare in ASCII order.
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `parseSemver` for any value; anything but a string is not a version. */
export function toSemver(value: unknown): SemanticVersion | null {
  return typeof value === 'string' ? parseSemver(value) : null;
}
