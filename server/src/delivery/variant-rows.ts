import type { Core } from '@strapi/strapi';
import { VARIANT_OF, columnsOf, hasDraftAndPublish, isLocalized } from '../enabled-types';

export type Row = Record<string | symbol, any> & { id: number; documentId: string; locale?: string | null };

/** What the database layer reads for an entry: columns, and populate in its own form. */
export interface RowShape {
  select?: string[];
  populate?: unknown;
}

export interface WantedVariant {
  documentId: string;
  locale: string | null;
}

/** Variant rows kept for reuse: about one per live variant, locale and field selection. */
const ROW_CACHE_LIMIT = 20_000;

export function variantKeyOf(documentId: string, locale: string | null | undefined): string {
  return `${documentId}:${locale ?? ''}`;
}

/**
 * Reads the published rows of the variants a response serves: one query for all the entries of
 * one type and shape, straight to the database layer. Rows read without populate are kept until
 * the variant index changes: every write to a variant document rebuilds the index here, and on
 * the other instances through coherence. With populate the rows hold other documents too, whose
 * changes the index does not follow.
 */
export function variantRows(strapi: Core.Strapi, generation: () => number) {
  const cache = new Map<string, Row>();
  let cacheGeneration = -1;

  // Only published variant rows are served, and what they reach is read as a published entry reads
  // it: Strapi's query layer hands a root query's `filters` down to every populate below it (the
  // document service does the same from `status`), so a draft never comes along a relation.
  const publishedOnly = ({ meta }: { meta: { uid: string } }) =>
    hasDraftAndPublish(strapi.getModel(meta.uid as any) as any) ? { publishedAt: { $notNull: true } } : {};

  return async function fetchVariants(uid: string, shape: RowShape, wanted: WantedVariant[]): Promise<Map<string, Row>> {
    const current = generation();
    if (current !== cacheGeneration) {
      cache.clear();
      cacheGeneration = current;
    }
    const cacheable = isEmptyPopulate(shape.populate);
    const selectKey = shape.select === undefined ? '*' : shape.select.join(',');
    const cacheKey = (documentId: string, locale: string | null | undefined) => `${uid}|${selectKey}|${variantKeyOf(documentId, locale)}`;

    const found = new Map<string, Row>();
    const missing = new Set<string>();
    const locales = new Set<string | null>();
    for (const { documentId, locale } of wanted) {
      const cached = cacheable ? cache.get(cacheKey(documentId, locale)) : undefined;
      if (cached) found.set(variantKeyOf(documentId, locale), cached);
      else {
        missing.add(documentId);
        locales.add(locale);
      }
    }
    if (missing.size === 0) return found;

    const contentType = strapi.contentType(uid as any) as any;
    const localized = isLocalized(contentType);
    // Stating the condition on variantOf marks this as the plugin's own read of variant rows.
    const where: Record<string, unknown> = { documentId: { $in: [...missing] }, [VARIANT_OF]: { $notNull: true } };
    if (hasDraftAndPublish(contentType)) where.publishedAt = { $notNull: true };
    // Entries of several locales: every locale of the chosen documents, matched by key.
    if (localized && locales.size === 1) {
      const [locale] = locales;
      if (locale !== null) where.locale = locale;
    }
    const select = shape.select === undefined ? columnsOf(strapi, uid) : withKeys(shape.select, localized);
    const rows = (await strapi.db.query(uid as any).findMany({ select, populate: shape.populate as any, where, filters: publishedOnly })) as unknown as Row[];
    // A rebuild that completed meanwhile may have been for a change these rows predate.
    const keep = cacheable && generation() === current && cache.size + rows.length <= ROW_CACHE_LIMIT;
    for (const row of rows) {
      found.set(variantKeyOf(row.documentId, row.locale), row);
      if (keep) cache.set(cacheKey(row.documentId, row.locale), row);
    }
    return found;
  };
}

/** Rows are matched to entries by document and locale, whatever the caller selected. */
function withKeys(select: string[], localized: boolean): string[] {
  const keys = localized ? ['id', 'documentId', 'locale'] : ['id', 'documentId'];
  return [...new Set([...select, ...keys])];
}

function isEmptyPopulate(populate: unknown): boolean {
  if (populate === undefined || populate === null || populate === '' || populate === false) return true;
  if (Array.isArray(populate)) return populate.length === 0;
  return typeof populate === 'object' && Object.keys(populate).length === 0;
}
