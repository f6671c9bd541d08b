import type { Core } from '@strapi/strapi';
import { compileAudience, explainRule, purposesImplied, type CompiledRule } from '../core/rules';
import { settings } from '../settings';
import { PERSONALIZATION_PURPOSE } from '../core/catalogue';
import type { BaseVariants, LiveVariant, VariantKind } from '../core/decision';
import { VARIANT_OF, enabledTypes, hasDraftAndPublish } from '../enabled-types';
import type { CoherenceService } from './coherence';

import type { VariantRecord } from '../../../shared/contracts';

export type { VariantRecord };

interface TypeIndex {
  byBase: Map<string, BaseVariants>;
  variantDocuments: Set<string>;
}

const NEVER: CompiledRule = compileAudience({ '==': [1, 0] });

/**
 * Live variants per content type and base entry, held in memory and rebuilt when variants,
 * segments or publication change, here or on another instance (services/coherence.ts). The
 * delivery path reads it; it never queries per request.
 */
const variantIndex = ({ strapi }: { strapi: Core.Strapi }) => {
  let types = new Map<string, TypeIndex>();
  let enabled = new Set<string>();
  let running: Promise<void> | null = null;
  let queued = false;
  /** Compiled rules by their JSON: those of the last build, and those of the build under way. */
  let compiledRules = new Map<string, CompiledRule>();
  let building = new Map<string, CompiledRule>();

  /**
   * Compiling is most of a rebuild (thousands of audiences take hundreds of ms) and every instance
   * rebuilds on every change, so an unchanged rule keeps its compilation. Compiled rules are frozen
   * and pure: variants with the same rule can share one.
   */
  function compile(rule: unknown): CompiledRule {
    const key = JSON.stringify(rule ?? null);
    let compiled = building.get(key) ?? compiledRules.get(key);
    if (!compiled) compiled = compileAudience(rule ?? null);
    building.set(key, compiled);
    return compiled;
  }

  async function loadSegments(): Promise<Map<string, CompiledRule>> {
    const rows = await strapi.db.query('plugin::personalization.segment').findMany({ select: ['key', 'rule'] });
    return new Map(rows.map((row: { key: string; rule: unknown }) => [row.key, compile(row.rule)]));
  }

  async function publishedLocales(uid: string): Promise<Map<string, Set<string>>> {
    const contentType = strapi.contentTypes[uid as keyof typeof strapi.contentTypes] as any;
    const rows = await strapi.db.query(uid as any).findMany({
      select: ['documentId', 'locale'],
      where: {
        [VARIANT_OF]: { $notNull: true },
        ...(hasDraftAndPublish(contentType) ? { publishedAt: { $notNull: true } } : {}),
      },
    });
    const byDocument = new Map<string, Set<string>>();
    for (const row of rows as Array<{ documentId: string; locale?: string | null }>) {
      let locales = byDocument.get(row.documentId);
      if (!locales) byDocument.set(row.documentId, (locales = new Set()));
      locales.add(row.locale ?? '');
    }
    return byDocument;
  }

  function liveVariant(record: VariantRecord, published: Set<string> | undefined, compiledSegments: Map<string, CompiledRule>): LiveVariant {
    const { catalogue } = settings(strapi);
    const audience = compile(record.audience ?? null);
    const segmentRules = new Map((record.segments ?? []).map((key) => [key, compiledSegments.get(key) ?? NEVER]));
    const rules = [audience, ...segmentRules.values()];
    const required = new Set(record.requiredPurposes ?? []);
    if (record.kind === 'targeted') {
      required.add(PERSONALIZATION_PURPOSE);
      // A withheld attribute reads as null, and `{"<": [null, 18]}` is true: so a targeted rule
      // is only evaluated when every attribute it reads may be seen.
      for (const rule of rules) purposesImplied(rule.rule, catalogue).forEach((purpose) => required.add(purpose));
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
      matches:
        rules.length === 1
          ? audience.evaluate
          : (context: object) => rules.every((rule) => rule.evaluate(context)),
      reads: [...new Set(rules.flatMap((rule) => rule.reads))].sort(),
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

  async function buildType(uid: string, compiledSegments: Map<string, CompiledRule>): Promise<TypeIndex> {
    const records: VariantRecord[] = await strapi.db
      .query('plugin::personalization.variant')
      .findMany({ where: { contentType: uid }, orderBy: [{ priority: 'asc' }, { id: 'asc' }] });
    const published = await publishedLocales(uid);
    const byBase = new Map<string, { targeted: LiveVariant[]; mass: LiveVariant[] }>();
    const variantDocuments = new Set<string>();
    for (const record of records) {
      variantDocuments.add(record.variantDocumentId);
      let entry = byBase.get(record.baseDocumentId);
      if (!entry) byBase.set(record.baseDocumentId, (entry = { targeted: [], mass: [] }));
      entry[record.kind].push(liveVariant(record, published.get(record.variantDocumentId), compiledSegments));
    }
    return { byBase, variantDocuments };
  }

  // Counts completed rebuilds: what delivery caches from variant documents is good for one value.
  let generation = 0;

  async function rebuildNow(): Promise<void> {
    // The variant-document query states its own condition on variantOf, which the content-API
    // rules (delivery.ts) leave alone when a rebuild runs inside a request.
    const uids = enabledTypes(strapi);
    building = new Map();
    const compiledSegments = await loadSegments();
    const next = new Map<string, TypeIndex>();
    for (const uid of uids) next.set(uid, await buildType(uid, compiledSegments));
    // Swap whole: a request sees the old index or the new one, never half of each.
    enabled = new Set(uids);
    types = next;
    compiledRules = building;
    generation += 1;
  }

  /** Rebuilds everything from the database; concurrent calls coalesce into at most one more run. */
  async function refresh(): Promise<void> {
    if (running) {
      queued = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          queued = false;
          await rebuildNow();
        } while (queued);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    /** After a local change to variants, segments or publication: rebuilds here and tells the other instances. */
    async rebuild(): Promise<void> {
      const coherence = strapi.plugin('personalization').service('coherence') as CoherenceService;
      await coherence.announce({ kind: 'variants' }, refresh);
    },

    /** Rebuilds here only: at boot, and when another instance announced a change. */
    refresh,

    isEnabled(uid: string): boolean {
      return enabled.has(uid);
    },

    variantsOf(uid: string, baseDocumentId: string): BaseVariants | undefined {
      return types.get(uid)?.byBase.get(baseDocumentId);
    },

    /** True when no base of this type has a variant: delivery then does no work at all. */
    isEmpty(uid: string): boolean {
      const index = types.get(uid);
      return !index || index.byBase.size === 0;
    },

    /** Changes whenever a rebuild completes, i.e. after every change to a variant or its document. */
    generation(): number {
      return generation;
    },

    isVariantDocument(uid: string, documentId: string): boolean {
      return types.get(uid)?.variantDocuments.has(documentId) ?? false;
    },
  };
};

export type VariantIndex = ReturnType<typeof variantIndex>;
export default variantIndex;
