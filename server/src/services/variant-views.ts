import type { Core, UID } from '@strapi/strapi';
import type { Overview, OverviewEntry, VariantListItem, VariantRecord } from '../../../shared/contracts';
import type { LiveVariant } from '../core/decision';
import type { CompiledRule } from '../core/rules';
import { entryTitles, type TitleRow } from '../core/entry-title';
import { reachabilityVariant, reachabilityWarnings } from '../core/reachability';
import { instantOf, variantStatus } from '../core/variant-status';
import { contentTypeOf, hasDraftAndPublish, isLocalized, localeFor, mainFieldOf } from '../enabled-types';
import { settings } from '../settings';
import type { ExperimentIndex } from './experiment-index';
import { liveVariant, ruleCache } from '../core/live-variant';
import type { VariantIndex } from './variant-index';

const VARIANT = 'plugin::personalization.variant';
const NO_SEGMENTS = new Map<string, CompiledRule>();

/** Targeted by priority, then mass by priority: the order delivery tries them in. */
export function inEvaluationOrder<T extends Pick<VariantRecord, 'kind' | 'priority' | 'id'>>(records: readonly T[]): T[] {
  const byPriority = (a: T, b: T) => a.priority - b.priority || a.id - b.id;
  return [...records.filter((record) => record.kind === 'targeted').sort(byPriority), ...records.filter((record) => record.kind === 'mass').sort(byPriority)];
}

/**
 * What the admin reads about the variants of a base: each one's status and reachability warnings
 * (the variants list), and every personalized entry with its variants' status (the overview).
 * Publication and purposes come from the in-memory index, so neither reads variant documents.
 */
const variantViews = ({ strapi }: { strapi: Core.Strapi }) => {
  const index = () => strapi.plugin('personalization').service('variant-index') as VariantIndex;
  const experiments = () => strapi.plugin('personalization').service('experiment-index') as ExperimentIndex;

  /** The index's view of a record; a record the index lacks (a type no longer enabled) reads as a draft. */
  function liveOf(record: VariantRecord, live: Map<string, LiveVariant>): LiveVariant {
    return live.get(record.key) ?? liveVariant(record, undefined, NO_SEGMENTS, ruleCache(), settings(strapi).catalogue);
  }

  function liveByKey(uid: string, baseDocumentId: string): Map<string, LiveVariant> {
    const variants = index().variantsOf(uid, baseDocumentId);
    return new Map([...(variants?.targeted ?? []), ...(variants?.mass ?? [])].map((live) => [live.key, live]));
  }

  return {
    /** The records of one base in evaluation order, each with its status, published locales and warnings. */
    listItems(uid: string, baseDocumentId: string, records: readonly VariantRecord[], now = Date.now()): VariantListItem[] {
      const ordered = inEvaluationOrder(records);
      const live = liveByKey(uid, baseDocumentId);
      const arms = experiments().runningOn(uid, baseDocumentId)?.armVariants;
      const views = ordered.map((record) => liveOf(record, live));
      const purposes = new Set(settings(strapi).config.purposes.map((purpose) => purpose.key));
      const warnings = reachabilityWarnings(
        views.map((view, position) => reachabilityVariant(view, ordered[position], arms?.has(view.key) ?? false)),
        purposes,
        now
      );
      return ordered.map((record, position) => ({
        ...record,
        status: variantStatus(views[position], now),
        publishedLocales: [...views[position].publishedLocales].sort(),
        warnings: warnings.get(record.key) ?? [],
      }));
    },

    /** Every base that has variants, a page at a time: by content type, then most recently changed first. */
    async overview(page: number, pageSize: number, now = Date.now()): Promise<Overview> {
      const records = (await strapi.db.query(VARIANT).findMany({
        select: ['id', 'documentId', 'key', 'name', 'kind', 'contentType', 'baseDocumentId', 'variantDocumentId', 'priority', 'enabled', 'startsAt', 'endsAt', 'locales', 'requiredPurposes', 'updatedAt'],
      })) as Array<VariantRecord & { updatedAt: string | null }>;
      const groups = new Map<string, typeof records>();
      for (const record of records) {
        const key = `${record.contentType}\u0000${record.baseDocumentId}`;
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key)!.push(record);
      }
      const latest = (group: typeof records) => group.reduce((max, record) => Math.max(max, instantOf(record.updatedAt) ?? 0), 0);
      const sorted = [...groups.values()].sort(
        (a, b) => a[0].contentType.localeCompare(b[0].contentType) || latest(b) - latest(a) || a[0].baseDocumentId.localeCompare(b[0].baseDocumentId)
      );
      const pageGroups = sorted.slice((page - 1) * pageSize, page * pageSize);
      const titles = await titlesOf(pageGroups.map((group) => [group[0].contentType, group[0].baseDocumentId]));
      const entries: OverviewEntry[] = pageGroups.map((group) => {
        const { contentType: uid, baseDocumentId } = group[0];
        const live = liveByKey(uid, baseDocumentId);
        const contentType = contentTypeOf(strapi, uid);
        return {
          contentType: uid,
          contentTypeName: contentType?.info?.displayName ?? uid,
          documentId: baseDocumentId,
          title: titles.get(`${uid}\u0000${baseDocumentId}`) ?? null,
          variants: inEvaluationOrder(group).map((record) => ({
            id: record.documentId,
            key: record.key,
            name: record.name,
            kind: record.kind,
            status: variantStatus(liveOf(record, live), now),
            startsAt: record.startsAt,
            endsAt: record.endsAt,
            variantDocumentId: record.variantDocumentId,
          })),
        };
      });
      return { entries, pagination: { page, pageSize, total: sorted.length } };
    },
  };

  /** The main field of each base entry, one query per content type on the page. */
  async function titlesOf(bases: Array<[string, string]>): Promise<Map<string, string>> {
    const titles = new Map<string, string>();
    const byType = new Map<string, string[]>();
    for (const [uid, documentId] of bases) byType.set(uid, [...(byType.get(uid) ?? []), documentId]);
    for (const [uid, documentIds] of byType) {
      const contentType = contentTypeOf(strapi, uid);
      if (!contentType) continue;
      const field = await mainFieldOf(strapi, uid);
      // Every locale's draft and published row, in no set order: entryTitles picks the default locale's.
      const select = ['documentId', field, ...(isLocalized(contentType) ? ['locale'] : []), ...(hasDraftAndPublish(contentType) ? ['publishedAt'] : [])];
      const rows = (await strapi.db.query(uid as UID.Schema).findMany({ select, where: { documentId: { $in: documentIds } } })) as TitleRow[];
      const defaultLocale = await localeFor(strapi, contentType, null);
      for (const [documentId, title] of entryTitles(rows, field, defaultLocale)) titles.set(`${uid}\u0000${documentId}`, title);
    }
    return titles;
  }
};

export type VariantViews = ReturnType<typeof variantViews>;
export default variantViews;
