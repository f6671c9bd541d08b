/**
 * Reconcile and transfer as the admin API returns them (`/personalization/reconcile`,
 * `/personalization/transfer/*`).
 */
import type { VariantRecord } from './variants';

/** Why a variant record was set aside: its entry is no longer a variant of its base. */
export type StaleReason = 'type-not-enabled' | 'not-a-variant' | 'variant-of-another-entry' | 'document-missing';

export const STALE_REASONS: readonly StaleReason[] = ['type-not-enabled', 'not-a-variant', 'variant-of-another-entry', 'document-missing'];

/** A variant record set aside by reconcile; `record` keeps its settings so it can be linked again. */
export interface DetachedVariant {
  id: number;
  documentId: string;
  contentType: string;
  baseDocumentId: string;
  variantDocumentId: string;
  key: string;
  name: string | null;
  reason: StaleReason;
  detachedAt: string;
  record: (Partial<VariantRecord> & { documentId?: string; createdAt?: string; updatedAt?: string; publishedAt?: string }) | null;
}

/** An entry marked as a variant that no record links: hidden from the content API. */
export interface UnlinkedDocument {
  contentType: string;
  documentId: string;
}

export interface ReconcileReport {
  /** Records set aside, now and before, until they are linked again or dismissed. */
  detached: DetachedVariant[];
  unlinkedDocuments: UnlinkedDocument[];
}

export interface ReconcileRun extends ReconcileReport {
  /** Records this run set aside. */
  detachedNow: DetachedVariant[];
}

export interface RelinkAllResult {
  relinked: VariantRecord[];
  refused: Array<{ id: string; key: string; reason: string }>;
}

export interface ImportResult {
  imported: Record<string, number>;
  /** Rows left out because a row with the same documentId or unique value is already there. */
  skipped: Record<string, number>;
  /** Variant records set aside after the import because their entries are not variants. */
  detached: number;
  relinked: number;
}
