/**
 * The public routes under /api/personalization: what a site's frontend sends and gets back. The
 * browser client (client/src) ships its own copies of these shapes; tests/unit/contracts.test.ts
 * checks that they accept these.
 */
import type { AttributeSource, AttributeType } from './settings';
import type { ConsentReason, SkipReason } from './reasons';
import type { ExperimentStanding } from './experiments';
import type { DeliveryLabel, VariantKind } from './variants';

/** `GET /purposes`: one configured purpose, the attributes it unlocks, and whether live variants use it. */
export interface PurposeDescription {
  key: string;
  title: string;
  description: string;
  attributes: Array<{ name: string; type: AttributeType; source: AttributeSource }>;
  usedByLiveVariants: boolean;
}

/** `POST /consent` (201): the signed token and what it grants. */
export interface ConsentGrantAnswer {
  token: string;
  expiresAt: string;
  subject: string;
  purposes: string[];
}

/** `GET /consent`: exactly what the token grants and holds. */
export interface ConsentView {
  subject: string;
  recordId: string;
  /** Granted after normalization, in configured order. */
  purposes: string[];
  /** The token's attributes rules may read. */
  attributes: Record<string, unknown>;
  /** Names (never values) of attributes the token carries that no rule will ever see. */
  ignoredAttributes: string[];
  issuedAt: string;
  expiresAt: string;
  policyVersion: string;
  issuer: string;
}

/** `GET /explain/:contentType/:documentId`: the decision delivery makes for the caller's own consent. */
export interface Explanation {
  contentType: string;
  documentId: string;
  locale: string | null;
  /** `decidedBy`: the node of the audience (or `segment:<key>.…`) that decided, null when none did. */
  served: DeliveryLabel & { decidedBy: string | null };
  /** Enabled, published variants that were not served, and why; `missingPurposes` with reason `consent-missing`. */
  skipped: Array<{ variant: string; kind: VariantKind; reason: SkipReason; decidedBy?: string | null; missingPurposes?: string[] }>;
  /** The attributes the decision read: names, never values. */
  read: string[];
  experiment?: ExperimentStanding;
  consent: { reason: ConsentReason; purposes: string[] };
}
