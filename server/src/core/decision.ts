/**
 * Where the variant is chosen. Pure: the index hands in compiled variants, the request hands in
 * its consent and rule context; the answer is a variant (or none) and a reason code.
 */
import type { ConsentReason, DecisionReason, DeliveryLabel, SkipReason, VariantKind } from '../../../shared/contracts';

export type { DecisionReason, SkipReason, VariantKind };

export interface LiveVariant {
  key: string;
  documentId: string;
  kind: VariantKind;
  priority: number;
  enabled: boolean;
  /** Epoch milliseconds, or null for open-ended. `startsAt` is inclusive, `endsAt` exclusive. */
  startsAt: number | null;
  endsAt: number | null;
  /** Locales the editor limited the variant to; null means every locale. */
  locales: ReadonlySet<string> | null;
  /** Locales in which the variant document is published ('' for types without i18n). */
  publishedLocales: ReadonlySet<string>;
  /** Every purpose a visitor must have granted; targeted variants include `personalization`. */
  requiredPurposes: readonly string[];
  /** The audience and all its segments; never throws (errors fail closed). */
  matches(context: object): boolean;
  /** Attribute names the audience and its segments read. */
  reads: readonly string[];
  /** Which node of the audience or of a segment (`segment:<key>`) decided, and the names it read. */
  explain?(context: object): { decidedBy: string | null; read: readonly string[] };
}

/** The live variants of one base entry, each list in priority order. */
export interface BaseVariants {
  targeted: readonly LiveVariant[];
  mass: readonly LiveVariant[];
}

export interface DecisionRequest {
  locale: string;
  now: number;
  purposes: ReadonlySet<string>;
  context: object;
  /** Why consent is what it is ('consent', 'no-token', 'token-expired', …). */
  consentReason: ConsentReason;
}

export interface Decision {
  variant: LiveVariant | null;
  kind: VariantKind | 'base';
  reason: DecisionReason;
  /** For reason `experiment`: the experiment (documentId and key) and the visitor's arm. */
  experiment?: { id: string; key: string; arm: string };
}

/** The label every delivered entry of an enabled type carries. */
export type Label = DeliveryLabel;

export const NO_VARIANTS: Decision = Object.freeze({ variant: null, kind: 'base', reason: 'no-variants' });

/**
 * Decisions are shared and frozen: one per base reason, one per variant served. Delivery decides
 * every entry of every response, so the way to a decision allocates nothing.
 */
const baseDecisions = new Map<DecisionReason, Decision>([['no-variants', NO_VARIANTS]]);
const servedDecisions = new WeakMap<LiveVariant, Decision>();

export function baseDecision(reason: DecisionReason): Decision {
  let decision = baseDecisions.get(reason);
  if (!decision) baseDecisions.set(reason, (decision = Object.freeze({ variant: null, kind: 'base', reason })));
  return decision;
}

/** A variant sits in one list of its base, which gives the kind it is served as. */
function servedDecision(variant: LiveVariant, kind: VariantKind): Decision {
  let decision = servedDecisions.get(variant);
  if (!decision) {
    const reason = kind === 'targeted' ? 'targeted-match' : 'mass-match';
    servedDecisions.set(variant, (decision = Object.freeze({ variant, kind, reason })));
  }
  return decision;
}

/** Why a variant cannot be served to this request, or null when it may be. */
export function skipReason(variant: LiveVariant, request: DecisionRequest): SkipReason | null {
  const unavailable = availabilityReason(variant, request);
  if (unavailable !== null) return unavailable;
  // Rules read only the consent-filtered context, so a rule cannot see an ungranted attribute.
  if (!variant.matches(request.context)) return 'rule-false';
  return null;
}

/** Why a variant cannot be served to this request whatever its audience says (an experiment arm's test), or null. */
export function availabilityReason(variant: LiveVariant, request: DecisionRequest): Exclude<SkipReason, 'rule-false'> | null {
  if (!variant.enabled) return 'disabled';
  if (variant.locales !== null && !variant.locales.has(request.locale)) return 'locale-excluded';
  if (!variant.publishedLocales.has(request.locale)) {
    return variant.publishedLocales.size > 0 ? 'locale-missing' : 'draft';
  }
  if (variant.startsAt !== null && request.now < variant.startsAt) return 'schedule';
  if (variant.endsAt !== null && request.now >= variant.endsAt) return 'schedule';
  for (const purpose of variant.requiredPurposes) {
    if (!request.purposes.has(purpose)) return 'consent-missing';
  }
  return null;
}

/** Reason order for the base label: the most useful explanation an editor or frontend can act on. */
const BASE_REASON_RANK: Record<SkipReason, number> = {
  'consent-missing': 6,
  'rule-false': 5,
  'locale-missing': 4,
  schedule: 3,
  draft: 2,
  'locale-excluded': 1,
  disabled: 0,
};

/**
 * Targeted variants first (by priority), then mass variants, then the base entry.
 * Allocation-free on the way to a match, since this runs once per delivered entry.
 */
export function chooseVariant(variants: BaseVariants | undefined, request: DecisionRequest): Decision {
  if (!variants) return NO_VARIANTS;
  return request.purposes.size === 0 ? withoutPurposes(variants, request) : decide(variants, request);
}

/**
 * A base's decision for a request that grants no purpose, remembered on its variants when every
 * one of them was held back before its audience was asked: the decision then depends only on the
 * locale, the consent's reason and where `now` falls among the variants' schedule boundaries, so
 * it holds until the next boundary. Most visitors send no token, and the index replaces a base's
 * variants (and with them this) whenever one changes.
 */
interface HeldBack {
  locale: string;
  consentReason: ConsentReason;
  /** The boundaries around the `now` it was decided at: it holds for `from <= now < until`. */
  from: number;
  until: number;
  decision: Decision;
}

const HELD_BACK = Symbol('decision without purposes');
type Remembering = BaseVariants & { [HELD_BACK]?: HeldBack };

function withoutPurposes(variants: Remembering, request: DecisionRequest): Decision {
  const held = variants[HELD_BACK];
  if (
    held !== undefined &&
    held.locale === request.locale &&
    held.consentReason === request.consentReason &&
    request.now >= held.from &&
    request.now < held.until
  ) {
    return held.decision;
  }
  const decision = decide(variants, request);
  // A served variant's audience was asked (a mass variant needs no purpose): nothing to remember.
  if (decision.variant === null && Object.isExtensible(variants)) {
    const window = heldBackWindow(variants, request);
    if (window) variants[HELD_BACK] = { locale: request.locale, consentReason: request.consentReason, from: window.from, until: window.until, decision };
  }
  return decision;
}

/** When every variant is held back before its audience is asked: the stretch of time around `now` in which that stays so; null when some audience is asked. */
function heldBackWindow(variants: BaseVariants, request: DecisionRequest): { from: number; until: number } | null {
  const window = { from: -Infinity, until: Infinity };
  for (const list of [variants.targeted, variants.mass]) {
    for (const variant of list) {
      if (availabilityReason(variant, request) === null) return null;
      for (const boundary of [variant.startsAt, variant.endsAt]) {
        if (boundary === null) continue;
        if (boundary <= request.now) window.from = Math.max(window.from, boundary);
        else window.until = Math.min(window.until, boundary);
      }
    }
  }
  return window;
}

function decide(variants: BaseVariants, request: DecisionRequest): Decision {
  let strongest: SkipReason | null = null;
  for (const variant of variants.targeted) {
    const skip = skipReason(variant, request);
    if (skip === null) return servedDecision(variant, 'targeted');
    if (strongest === null || BASE_REASON_RANK[skip] > BASE_REASON_RANK[strongest]) strongest = skip;
  }
  for (const variant of variants.mass) {
    const skip = skipReason(variant, request);
    if (skip === null) return servedDecision(variant, 'mass');
    if (strongest === null || BASE_REASON_RANK[skip] > BASE_REASON_RANK[strongest]) strongest = skip;
  }
  if (strongest === null) return NO_VARIANTS;
  // A targeted variant held back for consent: say why the consent fell short (token expired, …).
  if (strongest === 'consent-missing' && request.consentReason !== 'consent') {
    return baseDecision(request.consentReason);
  }
  return baseDecision(strongest);
}

export interface SkippedVariant {
  key: string;
  kind: VariantKind;
  reason: SkipReason;
  /** For `rule-false`: the node that made the audience false. */
  decidedBy?: string | null;
  /** For `consent-missing`: the purposes the variant needs that the request did not grant, in the variant's order. */
  missingPurposes?: string[];
}

export interface DecisionTrace {
  decision: Decision;
  /** For a served variant with an audience: the node that made it match. */
  decidedBy: string | null;
  skipped: SkippedVariant[];
  /** Attribute names the evaluated rules read; never values. */
  read: string[];
}

/** The full story of one decision, for the explain endpoint and the admin simulator. */
export function traceDecision(variants: BaseVariants | undefined, request: DecisionRequest): DecisionTrace {
  const decision = chooseVariant(variants, request);
  const skipped: SkippedVariant[] = [];
  const read = new Set<string>();
  let decidedBy: string | null = null;
  // Only what the evaluated rules actually read: short-circuited branches read nothing.
  const evaluate = (variant: LiveVariant) => {
    const explanation = variant.explain?.(request.context) ?? { decidedBy: null, read: variant.reads };
    explanation.read.forEach((name) => read.add(name));
    return explanation.decidedBy;
  };
  if (variants) {
    for (const variant of [...variants.targeted, ...variants.mass]) {
      if (variant === decision.variant) {
        decidedBy = evaluate(variant);
        break;
      }
      const reason = skipReason(variant, request);
      if (reason === 'rule-false') skipped.push({ key: variant.key, kind: variant.kind, reason, decidedBy: evaluate(variant) });
      else if (reason === 'consent-missing') {
        const missingPurposes = variant.requiredPurposes.filter((purpose) => !request.purposes.has(purpose));
        skipped.push({ key: variant.key, kind: variant.kind, reason, missingPurposes });
      } else if (reason !== null) skipped.push({ key: variant.key, kind: variant.kind, reason });
    }
  }
  return { decision, decidedBy, skipped, read: [...read].sort() };
}

const sharedLabels = new WeakMap<Decision, Label>();

/** The label of a shared decision, itself shared and frozen: for delivery, which labels every entry. */
export function frozenLabelOf(decision: Decision): Label {
  let label = sharedLabels.get(decision);
  if (!label) sharedLabels.set(decision, (label = Object.freeze(labelOf(decision))));
  return label;
}

export function labelOf(decision: Decision): Label {
  const label: Label = { variant: decision.variant?.key ?? null, kind: decision.kind, reason: decision.reason };
  if (decision.experiment) {
    label.experiment = decision.experiment.key;
    label.arm = decision.experiment.arm;
  }
  return label;
}
