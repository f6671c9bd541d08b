/**
 * `GET /personalization/overview?page=1&pageSize=25` (permission `read`): the personalized entries,
 * that is every base entry that has variants, with the status of each variant.
 */
import type { VariantKind, VariantStatus } from './variants';

export interface OverviewVariant {
  /** The variant record's documentId (what `PUT /variants/:id` takes). */
  id: string;
  key: string;
  name: string;
  kind: VariantKind;
  status: VariantStatus;
  startsAt: string | null;
  endsAt: string | null;
  variantDocumentId: string;
}

export interface OverviewEntry {
  contentType: string;
  /** The content type's display name. */
  contentTypeName: string;
  documentId: string;
  /** The base entry's main field (as the Content Manager shows it), null when empty or the entry is gone. */
  title: string | null;
  /** In evaluation order: targeted by priority, then mass by priority. */
  variants: OverviewVariant[];
}

export interface Overview {
  /** Ordered by content type, then by the most recently changed variant record first. */
  entries: OverviewEntry[];
  pagination: { page: number; pageSize: number; total: number };
}
