/** Variant records as the admin API returns them, and the settings an editor sends. */
import type { DecisionReason } from './reasons';

export type VariantKind = 'targeted' | 'mass';

/** A variant: which entry it varies, which document replaces it, and to whom it is served. */
export interface VariantRecord {
  id: number;
  documentId: string;
  name: string;
  key: string;
  contentType: string;
  baseDocumentId: string;
  variantDocumentId: string;
  kind: VariantKind;
  audience: unknown;
  segments: string[] | null;
  requiredPurposes: string[] | null;
  priority: number;
  startsAt: string | null;
  endsAt: string | null;
  enabled: boolean;
  locales: string[] | null;
}

/** The settings an editor chooses for a variant: the body of create and update. */
export interface VariantSettings {
  name: string;
  kind: VariantKind;
  audience: unknown;
  segments: string[];
  requiredPurposes: string[];
  startsAt: string | null;
  endsAt: string | null;
  enabled: boolean;
  locales: string[] | null;
}

/** The label every delivered entry of an enabled type carries (`personalization`). */
export interface DeliveryLabel {
  variant: string | null;
  kind: VariantKind | 'base';
  reason: DecisionReason;
  /** With reason `experiment`: the experiment key and the visitor's arm. */
  experiment?: string;
  arm?: string;
}
