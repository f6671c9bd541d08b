/**
 * One badge per variant: what an editor needs to know about whether it can be served now. Pure;
 * the variants list and the overview share it, so both say the same.
 */
import type { VariantStatus } from '../../../shared/contracts/variants';

export type { VariantStatus };

export interface StatusInput {
  enabled: boolean;
  /** Epoch milliseconds, or null for open-ended; `startsAt` inclusive, `endsAt` exclusive, as delivery reads them. */
  startsAt: number | null;
  endsAt: number | null;
  /** Locales the variant document is published in; empty for a draft. */
  publishedLocales: ReadonlySet<string> | readonly string[];
}

/** Disabled, then ended, then draft, then scheduled, else live: the first that applies. */
export function variantStatus(variant: StatusInput, now: number): VariantStatus {
  if (!variant.enabled) return 'disabled';
  if (variant.endsAt !== null && now >= variant.endsAt) return 'ended';
  const published = 'size' in variant.publishedLocales ? variant.publishedLocales.size : variant.publishedLocales.length;
  if (published === 0) return 'draft';
  if (variant.startsAt !== null && now < variant.startsAt) return 'scheduled';
  return 'live';
}

/** An ISO 8601 instant from the admin API, or null; what delivery parses (`Date.parse`). */
export function instantOf(value: string | null | undefined): number | null {
  if (!value) return null;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}
