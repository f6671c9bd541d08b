import type { Core } from '@strapi/strapi';
import { isbot } from 'isbot';
import type { Consent } from '../core/consent';
import {
  availabilityReason,
  chooseVariant,
  traceDecision,
  type BaseVariants,
  type Decision,
  type DecisionRequest,
  type DecisionTrace,
  type LiveVariant,
} from '../core/decision';
import { enrol, hash64, ineligibility, type Enrolment, type ExperimentArm, type NotEnrolledReason } from '../core/experiments';
import type { ExperimentCounts, VisitorHash } from '../services/experiment-counts';
import type { ExperimentIndex, RunningExperiment } from '../services/experiment-index';
import type { RequestContext } from './origin';
import type { ExperimentStanding } from '../../../shared/contracts';

/** Set by the admin's preview-as-visitor request: the editor sees the arm, nothing is counted. */
export const PREVIEW_HEADER = 'X-Personalization-Preview';

function variantByKey(variants: BaseVariants | undefined, key: string): LiveVariant | undefined {
  if (!variants) return undefined;
  return variants.targeted.find((variant) => variant.key === key) ?? variants.mass.find((variant) => variant.key === key);
}

/** Arm variants are served only through the experiment while it runs: the normal chain skips them. */
const withoutArms = new WeakMap<BaseVariants, { experiment: RunningExperiment; variants: BaseVariants }>();

function chainWithoutArms(variants: BaseVariants | undefined, experiment: RunningExperiment): BaseVariants | undefined {
  if (!variants) return undefined;
  const cached = withoutArms.get(variants);
  if (cached && cached.experiment === experiment) return cached.variants;
  const kept = (variant: LiveVariant) => !experiment.armVariants.has(variant.key);
  const filtered = { targeted: variants.targeted.filter(kept), mass: variants.mass.filter(kept) };
  withoutArms.set(variants, { experiment, variants: filtered });
  return filtered;
}

/**
 * The decision for one entry when its base may run an experiment. An enrolled visitor gets their
 * arm (the base, or the arm's variant) whatever the variants' own audiences say; everyone else gets
 * the targeted → mass → base chain without the arm variants.
 */
export function decideWithExperiment(
  experiment: RunningExperiment | undefined,
  variants: BaseVariants | undefined,
  request: DecisionRequest,
  subject: string | undefined
): Decision {
  if (!experiment) return chooseVariant(variants, request);
  const enrolment = enrolmentOf(experiment, variants, request, subject);
  if (!enrolment.enrolled) return chooseVariant(chainWithoutArms(variants, experiment), request);
  return armDecision(experiment, variants, enrolment.arm);
}

function enrolmentOf(experiment: RunningExperiment, variants: BaseVariants | undefined, request: DecisionRequest, subject: string | undefined): Enrolment {
  return enrol(experiment, { purposes: request.purposes, subject, context: request.context }, armAvailability(variants, request));
}

function armDecision(experiment: RunningExperiment, variants: BaseVariants | undefined, index: number): Decision {
  const arm = experiment.arms[index];
  const variant = arm.variant === null ? null : variantByKey(variants, arm.variant)!;
  return {
    variant,
    kind: variant?.kind ?? 'base',
    reason: 'experiment',
    experiment: { id: experiment.id, key: experiment.key, arm: arm.key },
  };
}

export interface ExperimentTrace extends DecisionTrace {
  /** Set when an experiment runs on the base. */
  experiment?: ExperimentStanding;
}

function armAvailability(variants: BaseVariants | undefined, request: DecisionRequest) {
  return (arm: ExperimentArm) => {
    if (arm.variant === null) return true;
    const variant = variantByKey(variants, arm.variant);
    return variant !== undefined && availabilityReason(variant, request) === null;
  };
}

const chainTrace = (experiment: RunningExperiment, variants: BaseVariants | undefined, request: DecisionRequest, reason: NotEnrolledReason): ExperimentTrace => ({
  ...traceDecision(chainWithoutArms(variants, experiment), request),
  experiment: { key: experiment.key, enrolled: false, reason },
});

/**
 * The explain endpoint's story of one decision for a visitor with their token, as delivery makes
 * it when an experiment runs on the base: an enrolled visitor's arm (the chain is not tried, so
 * nothing is skipped; read: what the experiment's audience and segments read), or the chain
 * without the arm variants and why the visitor is not enrolled.
 */
export function explainWithExperiment(
  experiment: RunningExperiment | undefined,
  variants: BaseVariants | undefined,
  request: DecisionRequest,
  subject: string | undefined
): ExperimentTrace {
  if (!experiment) return traceDecision(variants, request);
  const enrolment = enrolmentOf(experiment, variants, request, subject);
  if (!enrolment.enrolled) return chainTrace(experiment, variants, request, enrolment.reason);
  const decision = armDecision(experiment, variants, enrolment.arm);
  return { decision, decidedBy: null, skipped: [], read: [...experiment.reads], experiment: { key: experiment.key, enrolled: true, arm: experiment.arms[enrolment.arm].key } };
}

/**
 * The simulator's story for a visitor described by purposes and attributes, without a token: the
 * chain without the arm variants (what a visitor outside the experiment gets), and whether such a
 * visitor takes part; if so, each one gets an arm by weight, kept for as long as their token.
 */
export function simulateWithExperiment(experiment: RunningExperiment | undefined, variants: BaseVariants | undefined, request: DecisionRequest): ExperimentTrace {
  if (!experiment) return traceDecision(variants, request);
  const reason = ineligibility(experiment, request, armAvailability(variants, request));
  if (reason !== null) return chainTrace(experiment, variants, request, reason);
  const trace = traceDecision(chainWithoutArms(variants, experiment), request);
  const read = [...new Set([...experiment.reads, ...trace.read])];
  const arms = experiment.arms.map(({ key, variant, weight }) => ({ key, variant, weight }));
  return { ...trace, read, experiment: { key: experiment.key, enrolled: 'by-weight', coverage: experiment.coverage, arms } };
}

const COUNTED = Symbol('personalization request counted');

/**
 * Prefetches, known bots and the admin preview see their arm but are never counted. Browsers mark
 * prefetches and prerenders with `Sec-Purpose: prefetch`, older Chrome with `Purpose: prefetch` or
 * `X-Purpose: preview`. Answered once per request: the bot pattern is long, and a page of entries
 * asks for each of them.
 */
export function isCounted(ctx: RequestContext): boolean {
  const state = ctx.state as Record<symbol, unknown>;
  return (state[COUNTED] ??= countedRequest(ctx)) as boolean;
}

function countedRequest(ctx: RequestContext): boolean {
  const purpose = `${ctx.get('sec-purpose')} ${ctx.get('purpose')} ${ctx.get('x-purpose')}`.toLowerCase();
  if (purpose.includes('prefetch') || purpose.includes('preview')) return false;
  if (ctx.get(PREVIEW_HEADER)) return false;
  return !isbot(ctx.get('user-agent'));
}

const VISITOR = Symbol('personalization experiment visitor');
const EXPOSED = Symbol('personalization experiments exposed');

/** The subject's hash, computed once per request; the subject itself goes nowhere. */
function visitorOf(ctx: RequestContext, subject: string): VisitorHash {
  const state = ctx.state as Record<symbol, unknown>;
  return (state[VISITOR] ??= hash64(subject)) as VisitorHash;
}

/**
 * Counts one exposure per experiment and response for an enrolled visitor, into the in-memory
 * buffer (services/experiment-counts.ts): no database write on the request path.
 */
export function exposureCounter(strapi: Core.Strapi) {
  const counts = () => strapi.plugin('personalization').service('experiment-counts') as ExperimentCounts;
  return (ctx: RequestContext, decision: Decision, consent: Pick<Consent, 'subject' | 'previewAt'>, now: number): void => {
    const subject = consent.subject;
    if (!decision.experiment || !subject) return;
    const state = ctx.state as Record<symbol, unknown>;
    const exposed = (state[EXPOSED] ??= new Set<string>()) as Set<string>;
    if (exposed.has(decision.experiment.id)) return;
    exposed.add(decision.experiment.id);
    // A preview token (its preview time) is an editor looking, wherever the request comes from.
    if (!isCounted(ctx) || consent.previewAt !== undefined) return;
    counts().expose(decision.experiment.id, decision.experiment.arm, visitorOf(ctx, subject), now);
  };
}

export type { ExperimentIndex };
