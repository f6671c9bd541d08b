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

/**
 * Where a variant stands now, one badge (first that applies):
 * - `disabled`: switched off by the editor;
 * - `ended`: its schedule's `endsAt` has passed;
 * - `draft`: its document is published in no locale, so it is never served;
 * - `scheduled`: its `startsAt` is still ahead;
 * - `live`: may be served now (to the visitors its audience, purposes and locales allow).
 */
export type VariantStatus = 'live' | 'scheduled' | 'ended' | 'disabled' | 'draft';

/**
 * Why a variant may never be served. Warnings do not block saving, and are emitted only when
 * certain, so a variant without a warning may still never match in practice.
 * - `shadowed`: an earlier variant in evaluation order (`by`, its key) is served to every request
 *   this one could be served to: it is always available when this one is (enabled, published in the
 *   same locales or more, schedule covering this one's, purposes a subset, locales the same or
 *   broader, not an experiment arm) and its audience is everyone or a part of this one's
 *   (each of its conditions, top-level `and` parts and segments, is also one of this one's);
 * - `mass-after-unconditional`: the same, where both are mass variants and `by` has no condition at all
 *   (no audience, segment, purpose, locale limit or schedule): every mass variant after it is unreachable;
 * - `schedule-ended`: `endsAt` (echoed) has passed;
 * - `purpose-never-granted`: it needs `purpose`, which the site's configured purposes do not
 *   include, so no consent can grant it.
 */
export type ReachabilityWarning =
  | { code: 'shadowed'; by: string }
  | { code: 'mass-after-unconditional'; by: string }
  | { code: 'schedule-ended'; endsAt: string }
  | { code: 'purpose-never-granted'; purpose: string };

/**
 * One variant of the list `GET /personalization/variants/:contentType/:baseDocumentId` answers
 * (`{ data: VariantListItem[] }`), in evaluation order: targeted by priority, then mass by priority.
 */
export interface VariantListItem extends VariantRecord {
  status: VariantStatus;
  /** Locales its document is published in (`''` alone for a type without i18n); empty for a draft. */
  publishedLocales: string[];
  warnings: ReachabilityWarning[];
}
