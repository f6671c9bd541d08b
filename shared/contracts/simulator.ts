/** `POST /personalization/simulate`: what delivery would serve to a visitor described by hand. */
import type { ExperimentStanding } from './experiments';
import type { DecisionReason, SkipReason } from './reasons';
import type { VariantKind } from './variants';

export interface SimulateRequest {
  contentType: string;
  /** At most 50; all published base entries (up to 50) when absent. */
  documentIds?: string[];
  purposes?: string[];
  attributes?: Record<string, unknown>;
  locale?: string | null;
  /** ISO 8601 with an offset; now when absent. */
  at?: string | null;
}

/** Why an attribute the editor typed in would not reach a rule. */
export type IgnoredReason = 'builtin' | 'unknown' | 'purpose-not-granted' | 'wrong-type';

export interface SimulatedEntry {
  documentId: string;
  title: string | null;
  served: { variant: string | null; name: string | null; kind: VariantKind | 'base'; reason: DecisionReason; documentId: string | null };
  /** `missingPurposes`: with reason `consent-missing`, the purposes the variant needs that the visitor did not grant. */
  skipped: Array<{ variant: string; name: string | null; kind: VariantKind; reason: SkipReason; missingPurposes?: string[] }>;
  /** The attributes the decision read. */
  read: string[];
  /** When an experiment runs on the entry: whether a visitor like this one takes part, and the arms they would get by weight. */
  experiment?: ExperimentStanding;
}

export interface Simulation {
  contentType: string;
  locale: string | null;
  at: string;
  context: {
    purposes: string[];
    weekday: number;
    hour: number;
    timeZone: string;
    attributes: string[];
    ignored: Array<{ name: string; reason: IgnoredReason }>;
  };
  entries: SimulatedEntry[];
}
