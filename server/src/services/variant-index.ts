import type { Core } from '@strapi/strapi';
import type { CompiledRule } from '../core/rules';
import type { BaseVariants, LiveVariant } from '../core/decision';
import type { VariantScope } from '../coherence/messages';
import { enabledTypes } from '../enabled-types';
import type { CoherenceService } from './coherence';
import { ruleCache } from '../core/live-variant';
import { variantReader, type TypeIndex } from './variant-reader';
import type { VariantRecord } from '../../../shared/contracts';

export type { VariantRecord, VariantScope };

/** Above this many bases in one batch of changes, one full build is cheaper than a read per batch. */
export const BULK_BASES = 500;

/**
 * Live variants per content type and base entry, held in memory. A change to the variants of one
 * base reads that base again; a change to a segment, the bases whose variants use it; anything
 * else (and a resync after a lost notification) the whole index. Changes made here or announced
 * by another instance (services/coherence.ts) while an update runs are coalesced into the next.
 * The delivery path reads it; it never queries per request.
 */
const variantIndex = ({ strapi }: { strapi: Core.Strapi }) => {
  let types = new Map<string, TypeIndex>();
  let enabled = new Set<string>();
  let segments = new Map<string, CompiledRule>();
  const rules = ruleCache();
  let pending = { full: false, bases: new Map<string, Set<string>>(), segments: new Set<string>() };
  let running: Promise<void> | null = null;
  let queued = false;
  // Counts completed updates: what delivery caches from variant documents is good for one value.
  let generation = 0;
  /** For tests and the bench: how much work the updates did. */
  const stats = { fullBuilds: 0, partialUpdates: 0, basesRead: 0 };

  const { loadSegments, readBases } = variantReader(strapi, rules);

  async function buildAll(): Promise<void> {
    // The variant-document query states its own condition on variantOf, which the content-API
    // rules (delivery.ts) leave alone when a build runs inside a request.
    const uids = enabledTypes(strapi);
    rules.beginFullBuild();
    let completed = false;
    try {
      const compiledSegments = await loadSegments();
      const next = new Map<string, TypeIndex>();
      for (const uid of uids) {
        const index: TypeIndex = { byBase: new Map(), variantDocuments: new Map(), segmentsOf: new Map() };
        (await readBases(uid, undefined, compiledSegments))(index);
        next.set(uid, index);
      }
      // Swap whole: a request sees the old index or the new one, never half of each.
      enabled = new Set(uids);
      types = next;
      segments = compiledSegments;
      completed = true;
      stats.fullBuilds += 1;
    } finally {
      rules.endFullBuild(completed);
    }
  }

  /** The named bases, plus those whose variants use a changed segment, each read again. */
  async function updateBases(bases: Map<string, Set<string>>, changedSegments: Set<string>): Promise<void> {
    const compiledSegments = changedSegments.size > 0 ? await loadSegments() : segments;
    for (const [uid, index] of types) {
      for (const [base, used] of index.segmentsOf) {
        if ([...used].some((key) => changedSegments.has(key))) add(bases, uid, base);
      }
    }
    const updates: Array<() => void> = [];
    for (const [uid, list] of bases) {
      const index = types.get(uid);
      // A type that is not enabled serves no variant: nothing to update.
      if (index) updates.push(((put) => () => put(index))(await readBases(uid, [...list], compiledSegments)));
    }
    segments = compiledSegments;
    updates.forEach((update) => update());
    stats.partialUpdates += 1;
    stats.basesRead += [...bases.values()].reduce((sum, list) => sum + list.size, 0);
  }

  function add(bases: Map<string, Set<string>>, uid: string, base: string): void {
    if (!bases.has(uid)) bases.set(uid, new Set());
    bases.get(uid)!.add(base);
  }

  async function runPending(): Promise<void> {
    const work = pending;
    pending = { full: false, bases: new Map(), segments: new Set() };
    const baseCount = [...work.bases.values()].reduce((sum, list) => sum + list.size, 0);
    try {
      if (work.full || baseCount > BULK_BASES) await buildAll();
      else await updateBases(work.bases, work.segments);
      generation += 1;
    } catch (error) {
      // What was asked is not done: the next update reads everything.
      pending.full = true;
      throw error;
    }
  }

  /** Updates what `scope` names (everything without one); calls while one runs coalesce into one more. */
  async function refresh(scope?: VariantScope): Promise<void> {
    if (!scope) pending.full = true;
    else if ('segment' in scope) pending.segments.add(scope.segment);
    else add(pending.bases, scope.uid, scope.base);
    if (running) {
      queued = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          queued = false;
          await runPending();
        } while (queued);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    /** After a local change to variants, segments or publication: updates here and tells the other instances. */
    async rebuild(scope?: VariantScope): Promise<void> {
      const coherence = strapi.plugin('personalization').service('coherence') as CoherenceService;
      await coherence.announce({ kind: 'variants', ...(scope ? { scope } : {}) }, () => refresh(scope));
    },

    /** Updates here only: at boot, and when another instance announced a change. */
    refresh,

    isEnabled(uid: string): boolean {
      return enabled.has(uid);
    },

    variantsOf(uid: string, baseDocumentId: string): BaseVariants | undefined {
      return types.get(uid)?.byBase.get(baseDocumentId);
    },

    /** Every variant in the index, of every enabled type and base. */
    *allVariants(): IterableIterator<LiveVariant> {
      for (const index of types.values()) {
        for (const variants of index.byBase.values()) {
          yield* variants.targeted;
          yield* variants.mass;
        }
      }
    },

    /** True when no base of this type has a variant: delivery then does no work at all. */
    isEmpty(uid: string): boolean {
      const index = types.get(uid);
      return !index || index.byBase.size === 0;
    },

    /** Changes whenever an update completes, i.e. after every change to a variant or its document. */
    generation(): number {
      return generation;
    },

    isVariantDocument(uid: string, documentId: string): boolean {
      return types.get(uid)?.variantDocuments.has(documentId) ?? false;
    },

    stats(): typeof stats {
      return { ...stats };
    },

    /** The base a variant document belongs to, as the index knows it. */
    baseOf(uid: string, documentId: string): string | undefined {
      return types.get(uid)?.variantDocuments.get(documentId);
    },
  };
};

export type VariantIndex = ReturnType<typeof variantIndex>;
export default variantIndex;
