/**
 * Reachability warnings: variants of one base that can never be served, found from their settings
 * alone. Sound rather than complete: a warning is emitted only when it is certain, so a variant
 * without one may still never match in practice (README "Reachability warnings").
 *
 * A variant B is shadowed by an earlier variant A (evaluation order: targeted by priority, then
 * mass) when every request B could be served to is served A first, because A is then available
 * and matches:
 * - A is enabled, not an arm of a running experiment (arms leave the chain while it runs), and
 *   neither is B (an enrolled visitor may get B through the experiment);
 * - in every locale B is published in and allowed, A is published and allowed too;
 * - A's schedule covers B's (starts no later, ends no earlier, an open end covering any);
 * - every purpose A needs, B needs too;
 * - every condition of A is one of B's: the top-level `and` parts of the audience and each segment.
 *   Evaluation is deterministic, so a shared part is true for A exactly when it is for B.
 */
import type { ReachabilityWarning } from '../../../shared/contracts/variants';
import type { LiveVariant } from './decision';
import { variantStatus } from './variant-status';

export type { ReachabilityWarning };

/** What reachability reads of a variant: the decision's view plus its conditions. */
export interface ReachabilityVariant
  extends Pick<LiveVariant, 'key' | 'kind' | 'enabled' | 'startsAt' | 'endsAt' | 'locales' | 'publishedLocales' | 'requiredPurposes'> {
  /** Every condition the audience holds, as conditionsOf gives them; empty for everyone. */
  conditions: readonly string[];
  /** An arm of the base's running experiment. */
  experimentArm: boolean;
}

/**
 * The conditions a visitor must all meet: each (nested) `and` part of the audience, and each
 * segment by key. No audience, `null` or `true` has none. Parts compare by their JSON: an operator
 * object has one key, so equal parts serialize equally. A literal part other than `true` (such as
 * `false` or `null`) is kept as a part: it never matches, and a variant holding it shadows nothing.
 */
export function conditionsOf(audience: unknown, segments: readonly string[] | null): string[] {
  const parts = new Set<string>();
  const add = (rule: unknown) => {
    if (rule === true) return;
    if (rule !== null && typeof rule === 'object' && !Array.isArray(rule) && Object.keys(rule).length === 1 && Array.isArray((rule as { and?: unknown }).and)) {
      (rule as { and: unknown[] }).and.forEach(add);
      return;
    }
    parts.add(JSON.stringify(rule ?? null));
  };
  if (audience !== null && audience !== undefined) add(audience);
  for (const key of segments ?? []) parts.add(`segment:${key}`);
  return [...parts];
}

/**
 * Warnings per variant key, for the variants of one base in evaluation order. `purposes`: the
 * site's configured purpose keys; `now`: for ended schedules only (shadowing holds at any time).
 */
export function reachabilityWarnings(
  ordered: readonly ReachabilityVariant[],
  purposes: ReadonlySet<string>,
  now: number
): Map<string, ReachabilityWarning[]> {
  const warnings = new Map<string, ReachabilityWarning[]>();
  ordered.forEach((variant, position) => {
    const found: ReachabilityWarning[] = [];
    if (variant.endsAt !== null && now >= variant.endsAt) found.push({ code: 'schedule-ended', endsAt: new Date(variant.endsAt).toISOString() });
    for (const purpose of variant.requiredPurposes) {
      if (!purposes.has(purpose)) found.push({ code: 'purpose-never-granted', purpose });
    }
    // A disabled, draft or ended variant says so in its status; shadowing would only add noise.
    if (variantStatus(variant, now) !== 'disabled' && found.length === 0 && variant.publishedLocales.size > 0) {
      const by = ordered.slice(0, position).find((earlier) => shadows(earlier, variant));
      if (by) {
        const code = by.kind === 'mass' && variant.kind === 'mass' && unconditional(by) ? 'mass-after-unconditional' : 'shadowed';
        found.push({ code, by: by.key });
      }
    }
    warnings.set(variant.key, found);
  });
  return warnings;
}

/** True when `earlier` is served to every request `later` could be served to. */
export function shadows(earlier: ReachabilityVariant, later: ReachabilityVariant): boolean {
  if (!earlier.enabled || earlier.experimentArm || later.experimentArm) return false;
  // A literal part that is not `true` (`false`, `null`, `0`…) may never match: nothing to conclude from it.
  if (earlier.conditions.some((condition) => !condition.startsWith('{') && !condition.startsWith('segment:'))) return false;
  for (const locale of later.publishedLocales) {
    if (later.locales !== null && !later.locales.has(locale)) continue;
    if (!earlier.publishedLocales.has(locale)) return false;
    if (earlier.locales !== null && !earlier.locales.has(locale)) return false;
  }
  if (earlier.startsAt !== null && (later.startsAt === null || earlier.startsAt > later.startsAt)) return false;
  if (earlier.endsAt !== null && (later.endsAt === null || earlier.endsAt < later.endsAt)) return false;
  const needed = new Set(later.requiredPurposes);
  if (!earlier.requiredPurposes.every((purpose) => needed.has(purpose))) return false;
  const conditions = new Set(later.conditions);
  return earlier.conditions.every((condition) => conditions.has(condition));
}

/** No audience, segment, purpose, locale limit or schedule: served to every request in its published locales. */
function unconditional(variant: ReachabilityVariant): boolean {
  return (
    variant.conditions.length === 0 &&
    variant.requiredPurposes.length === 0 &&
    variant.locales === null &&
    variant.startsAt === null &&
    variant.endsAt === null
  );
}

/** A live variant (the index's view) and its record's audience and segments, as reachability reads them. */
export function reachabilityVariant(
  live: LiveVariant,
  record: { audience: unknown; segments: readonly string[] | null },
  experimentArm: boolean
): ReachabilityVariant {
  const { key, kind, enabled, startsAt, endsAt, locales, publishedLocales, requiredPurposes } = live;
  return {
    key,
    kind,
    enabled,
    startsAt,
    endsAt,
    locales,
    publishedLocales,
    requiredPurposes,
    conditions: conditionsOf(record.audience, record.segments),
    experimentArm,
  };
}
