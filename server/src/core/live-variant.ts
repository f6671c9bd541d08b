import { compileAudience, explainRule, purposesImplied, type CompiledRule } from './rules';
import { PERSONALIZATION_PURPOSE } from './catalogue';
import type { LiveVariant } from './decision';
import type { Catalogue } from './catalogue';
import type { VariantRecord } from '../../../shared/contracts';

const NEVER: CompiledRule = compileAudience({ '==': [1, 0] });

/**
 * Compiled rules by their JSON. Compiling is most of an index build (thousands of audiences take
 * hundreds of ms), so an unchanged rule keeps its compilation. Compiled rules are frozen and pure:
 * variants with the same rule share one. A full build starts a new generation and keeps only the
 * rules it used; an update of a few bases adds to the current one.
 */
export function ruleCache() {
  let current = new Map<string, CompiledRule>();
  let building: Map<string, CompiledRule> | null = null;
  return {
    compile(rule: unknown): CompiledRule {
      const key = JSON.stringify(rule ?? null);
      const target = building ?? current;
      let compiled = target.get(key) ?? current.get(key);
      if (!compiled) compiled = compileAudience(rule ?? null);
      target.set(key, compiled);
      return compiled;
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

/** One variant record as the decision reads it: rules compiled, purposes implied, schedule parsed. */
export function liveVariant(
  record: VariantRecord,
  published: Set<string> | undefined,
  segments: Map<string, CompiledRule>,
  rules: RuleCache,
  catalogue: Catalogue
): LiveVariant {
  const audience = rules.compile(record.audience ?? null);
  const segmentRules = new Map((record.segments ?? []).map((key) => [key, segments.get(key) ?? NEVER]));
  const all = [audience, ...segmentRules.values()];
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
    locales: record.locales && record.locales.length > 0 ? new Set(record.locales) : null,
    publishedLocales: published ?? new Set(),
    requiredPurposes: [...required],
    matches: all.length === 1 ? audience.evaluate : (context: object) => all.every((rule) => rule.evaluate(context)),
    reads: [...new Set(all.flatMap((rule) => rule.reads))].sort(),
    explain(context: object) {
      const sources: Array<[string, unknown]> = [
        ['', record.audience ?? null],
        ...(record.segments ?? []).map((key): [string, unknown] => [`segment:${key}.`, segmentRules.get(key)?.rule ?? false]),
      ];
      // The audience, then each segment, as `matches` evaluates them: the first false one decides.
      const read = new Set<string>();
      let decidedBy: string | null = null;
      for (const [position, [prefix, rule]] of sources.entries()) {
        const explanation = explainRule(rule, context);
        explanation.read.forEach((name) => read.add(name));
        if (position === 0 || !explanation.result) decidedBy = prefix + (explanation.decidedBy ?? '');
        if (!explanation.result) break;
      }
      return { decidedBy: decidedBy || null, read: [...read].sort() };
    },
  };
}
