import { compileAudience, explainRule, purposesImplied, type CompiledRule } from './rules';
import { PERSONALIZATION_PURPOSE } from './catalogue';
import type { LiveVariant } from './decision';
import type { Catalogue } from './catalogue';
import type { VariantRecord } from '../../../shared/contracts';

const NEVER: CompiledRule = compileAudience({ '==': [1, 0] });

/**
 * Compiled rules by their JSON, and the small values variants have in common (purpose lists,
 * attribute lists, locale sets), one shared frozen copy each. Compiling is most of an index build
 * (thousands of audiences take hundreds of ms), so an unchanged rule keeps its compilation.
 * Compiled rules are frozen and pure: variants with the same rule share one. A full build starts a
 * new generation and keeps only what it used; an update of a few bases adds to the current one.
 */
export function ruleCache() {
  let current = new Map<string, unknown>();
  let building: Map<string, unknown> | null = null;
  /** One copy per content, looked up in the generation being built, then in the current one. */
  function share<T>(key: string, make: () => T): T {
    const target = building ?? current;
    const value = (target.get(key) ?? current.get(key) ?? make()) as T;
    target.set(key, value);
    return value;
  }
  return {
    compile(rule: unknown): CompiledRule {
      return share(`rule:${JSON.stringify(rule ?? null)}`, () => compileAudience(rule ?? null));
    },
    /** A frozen list, in the order given. */
    strings(list: Iterable<string>): readonly string[] {
      const items = [...list];
      return share(`list:${JSON.stringify(items)}`, () => Object.freeze(items));
    },
    set(list: Iterable<string>): ReadonlySet<string> {
      const items = [...new Set(list)].sort();
      return share(`set:${JSON.stringify(items)}`, () => new Set(items));
    },
    beginFullBuild(): void {
      building = new Map();
    },
    endFullBuild(completed: boolean): void {
      if (completed && building) current = building;
      building = null;
    },
  };
}

export type RuleCache = ReturnType<typeof ruleCache>;

const NO_SEGMENT_RULES: ReadonlyArray<readonly [string, CompiledRule]> = Object.freeze([]);

/**
 * One variant record as the decision reads it: rules compiled, purposes implied, schedule parsed.
 * It keeps what the decision and explain read and nothing of the record: the index holds one per
 * live variant.
 */
export function liveVariant(
  record: VariantRecord,
  published: Set<string> | undefined,
  segments: Map<string, CompiledRule>,
  rules: RuleCache,
  catalogue: Catalogue
): LiveVariant {
  const audience = rules.compile(record.audience ?? null);
  const segmentRules =
    record.segments && record.segments.length > 0
      ? Object.freeze(record.segments.map((key) => Object.freeze([key, segments.get(key) ?? NEVER] as const)))
      : NO_SEGMENT_RULES;
  const all = [audience, ...segmentRules.map(([, rule]) => rule)];
  const required = new Set(record.requiredPurposes ?? []);
  if (record.kind === 'targeted') {
    required.add(PERSONALIZATION_PURPOSE);
    // A withheld attribute reads as null, and `{"<": [null, 18]}` is true: so a targeted rule
    // is only evaluated when every attribute it reads may be seen.
    for (const rule of all) purposesImplied(rule.rule, catalogue).forEach((purpose) => required.add(purpose));
  }
  return {
    key: record.key,
    documentId: record.variantDocumentId,
    kind: record.kind,
    priority: record.priority,
    enabled: record.enabled,
    startsAt: record.startsAt ? Date.parse(record.startsAt) : null,
    endsAt: record.endsAt ? Date.parse(record.endsAt) : null,
    locales: record.locales && record.locales.length > 0 ? rules.set(record.locales) : null,
    publishedLocales: rules.set(published ?? []),
    requiredPurposes: rules.strings(required),
    matches: segmentRules.length === 0 ? audience.evaluate : matchesAll(all),
    reads: rules.strings([...new Set(all.flatMap((rule) => rule.reads))].sort()),
    explain: explainer(audience, segmentRules),
  };
}

function matchesAll(rules: readonly CompiledRule[]): (context: object) => boolean {
  return (context) => rules.every((rule) => rule.evaluate(context));
}

/** The audience, then each segment, as `matches` evaluates them: the first false one decides. */
function explainer(audience: CompiledRule, segmentRules: ReadonlyArray<readonly [string, CompiledRule]>): LiveVariant['explain'] {
  return (context) => {
    const sources: Array<[string, unknown]> = [['', audience.rule], ...segmentRules.map(([key, rule]): [string, unknown] => [`segment:${key}.`, rule.rule])];
    const read = new Set<string>();
    let decidedBy: string | null = null;
    for (const [position, [prefix, rule]] of sources.entries()) {
      const explanation = explainRule(rule, context);
      explanation.read.forEach((name) => read.add(name));
      if (position === 0 || !explanation.result) decidedBy = prefix + (explanation.decidedBy ?? '');
      if (!explanation.result) break;
    }
    return { decidedBy: decidedBy || null, read: [...read].sort() };
  };
}
