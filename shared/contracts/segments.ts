/** Segments as the admin API returns them (`/personalization/segments`). */
import type { VariantKind } from './variants';

/** A named, reusable audience rule that variants reference by key. */
export interface SegmentRecord {
  id: number;
  documentId: string;
  name: string;
  key: string;
  description: string | null;
  rule: unknown;
}

/** A variant that references a segment, as the admin needs it to find and edit it. */
export interface SegmentUser {
  key: string;
  name: string;
  kind: VariantKind;
  contentType: string;
  baseDocumentId: string;
  variantDocumentId: string;
}

/**
 * A segment in the list and in detail: `usage`, how many variants reference it, and `usedBy`, which
 * (both in the list and in detail; a segment in use cannot be deleted, so the admin links to them).
 */
export interface Segment extends SegmentRecord {
  usage: number;
  usedBy?: SegmentUser[];
}
