/**
 * Experiments as the admin API returns and accepts them (`/personalization/experiments`), their
 * results, and the conversion events frontends send (`POST /api/personalization/events`).
 */

export type ExperimentStatus = 'draft' | 'running' | 'stopped';

export interface ExperimentArm {
  key: string;
  /** A variant key of the base entry, or null for the base entry itself (the control). */
  variant: string | null;
  /** 0–1; the weights of an experiment sum to 1. */
  weight: number;
}

/** An experiment as every admin route answers it. */
export interface Experiment {
  id: number;
  documentId: string;
  key: string;
  name: string;
  contentType: string;
  baseDocumentId: string;
  arms: ExperimentArm[];
  coverage: number;
  goals: string[];
  audience: unknown;
  segments: string[];
  status: ExperimentStatus;
  /** Bucketing seed, fixed at creation. */
  seed: string;
  startedAt: string | null;
  stoppedAt: string | null;
  /** The arm promoted into the base, once promoted. */
  promotedArm: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Why a visitor is not in the experiment running on an entry: no consent (or no token), the audience or a segment, an arm that could not be served to them, or their bucket (coverage). */
export type NotEnrolledReason = 'consent-missing' | 'rule-false' | 'arm-unavailable' | 'not-covered';

/** Where a visitor stands in the experiment running on an entry's base (explain, simulator). */
export type ExperimentStanding =
  /** A visitor with a token: their arm, on every request. */
  | { key: string; enrolled: true; arm: string }
  /** Not in it: they get the usual chain without the arm variants. */
  | { key: string; enrolled: false; reason: NotEnrolledReason }
  /** A visitor described by hand (the simulator), who has no token to bucket: eligible, so each such visitor gets one of these arms by weight, within the coverage. */
  | { key: string; enrolled: 'by-weight'; coverage: number; arms: ExperimentArm[] };

/** `POST /personalization/experiments`. */
export interface ExperimentCreateRequest {
  contentType: string;
  baseDocumentId: string;
  key: string;
  name: string;
  arms: ExperimentArm[];
  /** Default 1. */
  coverage?: number;
  /** Default []. */
  goals?: string[];
  /** A rule; default null (every eligible visitor). */
  audience?: unknown;
  segments?: string[];
}

/** `PUT /personalization/experiments/:id`: any of these; only `name` and `goals` once it has started. */
export type ExperimentUpdateRequest = Partial<Pick<ExperimentCreateRequest, 'key' | 'name' | 'arms' | 'coverage' | 'goals' | 'audience' | 'segments'>>;

/** `POST /personalization/experiments/:id/promote`. */
export interface ExperimentPromoteRequest {
  arm: string;
}

/** Its answer: the experiment, stopped, and the locales whose base draft now holds the winner ('' without i18n). */
export interface ExperimentPromoteAnswer extends Experiment {
  copiedLocales: string[];
}

export interface GoalFigures {
  /** Conversion events (a visitor converting twice counts twice). */
  conversions: number;
  /** Unique visitors who converted (estimated). */
  converters: number;
  /** converters / visitors; null without visitors. */
  rate: number | null;
  /** Wilson 95% interval of the rate. */
  interval: [number, number] | null;
}

export interface GoalComparison extends GoalFigures {
  /** Relative to the control arm; null on the control arm, or when the control rate is 0. */
  uplift: number | null;
  /** Two-sided p-value of the pooled two-proportion z-test against control. */
  pValue: number | null;
  /** P(this arm's rate > control's), Beta(1, 1) priors. */
  probabilityToBeatControl: number | null;
}

export interface ArmResult {
  key: string;
  variant: string | null;
  weight: number;
  /** The arm the others are compared with: the base arm, else the first. */
  control: boolean;
  exposures: number;
  /** Unique visitors exposed (estimated). */
  visitors: number;
  goals: Record<string, GoalComparison>;
}

export interface SampleRatioCheck {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  /** p < 0.001: the split differs from the weights beyond chance; do not trust the comparison. */
  mismatch: boolean;
}

export interface DailyArm {
  key: string;
  exposures: number;
  visitors: number;
  goals: Record<string, GoalFigures>;
  /** From the first day through this one. */
  cumulative: { visitors: number; goals: Record<string, GoalFigures> };
}

export interface ExperimentResults {
  goals: string[];
  arms: ArmResult[];
  overall: { exposures: number; visitors: number; goals: Record<string, GoalFigures> };
  sampleRatio: SampleRatioCheck | null;
  /** UTC days in order. */
  daily: Array<{ day: string; arms: DailyArm[] }>;
  estimator: { name: 'HyperLogLog'; precision: number; relativeStandardError: number };
}

/** `GET /personalization/experiments/:id/results`. */
export interface ExperimentResultsAnswer {
  experiment: Experiment;
  results: ExperimentResults;
}

/** `POST /api/personalization/events`. */
export interface ConversionEvent {
  type: 'conversion';
  goal: string;
}

/**
 * Why a conversion was or was not counted:
 * - `counted`: in at least one running experiment the visitor is enrolled in;
 * - `consent-missing`: no valid token granting the experiment purpose;
 * - `not-enrolled`: no running experiment with this goal enrolls this visitor;
 * - `not-counted`: a known bot, a prefetch, or an editor's preview-time token.
 */
export type EventReason = 'counted' | 'consent-missing' | 'not-enrolled' | 'not-counted';

/** The 202 answer's `data`. */
export interface EventAnswer {
  counted: boolean;
  reason: EventReason;
}
