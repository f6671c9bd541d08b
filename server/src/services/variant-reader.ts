/**
 * Reading the variant index from the database: the segments' compiled rules, the locales each
 * variant document is published in, and the variants of some bases (or all of a type) built into
 * live variants, returned as a patch the index applies at once.
 */
import type { Core, UID } from '@strapi/strapi';
import type { VariantRecord } from '../../../shared/contracts';
import type { BaseVariants, LiveVariant } from '../core/decision';
import type { CompiledRule } from '../core/rules';
import { VARIANT_OF, contentTypeOf, hasDraftAndPublish } from '../enabled-types';
import { settings } from '../settings';
import { liveVariant, type ruleCache } from '../core/live-variant';

export interface TypeIndex {
  byBase: Map<string, BaseVariants>;
  /** Variant documentId → its base. */
  variantDocuments: Map<string, string>;
  /** The segments the variants of a base use, for the bases that use any. */
  segmentsOf: Map<string, Set<string>>;
}

/** Documents per `$in` list. */
const CHUNK = 250;

const chunks = <T>(items: T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, at) => items.slice(at * CHUNK, (at + 1) * CHUNK));

export function variantReader(strapi: Core.Strapi, rules: ReturnType<typeof ruleCache>) {
  async function loadSegments(): Promise<Map<string, CompiledRule>> {
    const rows = await strapi.db.query('plugin::personalization.segment').findMany({ select: ['key', 'rule'] });
    return new Map(rows.map((row: { key: string; rule: unknown }) => [row.key, rules.compile(row.rule)]));
  }

  /** Locales in which each variant document (all of the type's, or those named) is published. */
  async function publishedLocales(uid: string, documentIds?: string[]): Promise<Map<string, Set<string>>> {
    const contentType = contentTypeOf(strapi, uid);
    const where = {
      [VARIANT_OF]: { $notNull: true },
      ...(hasDraftAndPublish(contentType) ? { publishedAt: { $notNull: true } } : {}),
    };
    const lists = documentIds ? chunks(documentIds) : [undefined];
    const byDocument = new Map<string, Set<string>>();
    for (const list of lists) {
      if (list?.length === 0) continue;
      const rows = await strapi.db.query(uid as UID.Schema).findMany({
        select: ['documentId', 'locale'],
        where: list ? { ...where, documentId: { $in: list } } : where,
      });
      for (const row of rows as Array<{ documentId: string; locale?: string | null }>) {
        let locales = byDocument.get(row.documentId);
        if (!locales) byDocument.set(row.documentId, (locales = new Set()));
        locales.add(row.locale ?? '');
      }
    }
    return byDocument;
  }

  /**
   * Reads the variants of `bases` (every base of the type when undefined) and returns what puts
   * them in place, synchronously: a request sees a base before or after, never half of it.
   */
  async function readBases(uid: string, bases: string[] | undefined, compiledSegments: Map<string, CompiledRule>) {
    const orderBy = [{ priority: 'asc' }, { id: 'asc' }];
    const records: VariantRecord[] = [];
    for (const list of bases ? chunks(bases) : [undefined]) {
      const where = list ? { contentType: uid, baseDocumentId: { $in: list } } : { contentType: uid };
      records.push(...(await strapi.db.query('plugin::personalization.variant').findMany({ where, orderBy })));
    }
    const published = await publishedLocales(uid, bases && records.map((record) => record.variantDocumentId));
    const { catalogue } = settings(strapi);
    const byBase = new Map<string, VariantRecord[]>((bases ?? []).map((base) => [base, []]));
    for (const record of records) {
      if (!byBase.has(record.baseDocumentId)) byBase.set(record.baseDocumentId, []);
      byBase.get(record.baseDocumentId)!.push(record);
    }
    const built = [...byBase].map(([base, owned]) => {
      const lists = { targeted: [] as LiveVariant[], mass: [] as LiveVariant[] };
      for (const record of owned) {
        lists[record.kind].push(liveVariant(record, published.get(record.variantDocumentId), compiledSegments, rules, catalogue));
      }
      // Exact-size copies for the index: an array grown by push keeps room for more.
      const entry: BaseVariants = { targeted: lists.targeted.slice(), mass: lists.mass.slice() };
      return { base, owned, entry };
    });
    return (index: TypeIndex) => {
      for (const { base, owned, entry } of built) {
        const before = index.byBase.get(base);
        for (const variant of before ? [...before.targeted, ...before.mass] : []) index.variantDocuments.delete(variant.documentId);
        index.segmentsOf.delete(base);
        if (owned.length === 0) {
          index.byBase.delete(base);
          continue;
        }
        index.byBase.set(base, entry);
        const used = new Set(owned.flatMap((record) => record.segments ?? []));
        if (used.size > 0) index.segmentsOf.set(base, used);
        for (const record of owned) index.variantDocuments.set(record.variantDocumentId, base);
      }
    };
  }

  return { loadSegments, readBases };
}
