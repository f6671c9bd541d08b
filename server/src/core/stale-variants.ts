/**
 * Which variant records no longer describe a variant document. A record is only trusted when its
 * document still says, in its own hidden `variantOf`, that it is a variant of the record's base:
 * Strapi drops that column when a type leaves the plugin, so after a type is disabled and enabled
 * again every former variant is an ordinary entry, and acting on its record (deleting "the variant")
 * would delete ordinary content.
 */
import type { StaleReason } from '../../../shared/contracts/upkeep';

export type { StaleReason };

export interface LinkRecord {
  contentType: string;
  baseDocumentId: string;
  variantDocumentId: string;
}

export interface DocumentState {
  /** Every documentId of the type that has at least one row. */
  existing: ReadonlySet<string>;
  /** documentId → the distinct non-null `variantOf` values of its rows. */
  variantOf: ReadonlyMap<string, ReadonlySet<string>>;
}

/** The reason a record is stale, or null when its document is a variant of its base. */
export function staleReason(record: LinkRecord, enabled: ReadonlySet<string>, documents: DocumentState | undefined): StaleReason | null {
  if (!enabled.has(record.contentType) || !documents) return 'type-not-enabled';
  const marks = documents.variantOf.get(record.variantDocumentId);
  if (marks && marks.size > 0) return marks.has(record.baseDocumentId) && marks.size === 1 ? null : 'variant-of-another-entry';
  return documents.existing.has(record.variantDocumentId) ? 'not-a-variant' : 'document-missing';
}

/** Documents marked as variants that no record links: hidden from the content API, owned by nobody. */
export function unlinkedVariantDocuments(records: LinkRecord[], documents: DocumentState): string[] {
  const linked = new Set(records.map((record) => record.variantDocumentId));
  return [...documents.variantOf.keys()].filter((documentId) => !linked.has(documentId)).sort();
}
