import type { Core } from '@strapi/strapi';
import { compileAudience, purposesImplied, type CompiledRule } from '../core/rules';
import { rangesOf, type ExperimentArm, type ExperimentStatus, type LiveExperiment } from '../core/experiments';
import { settings } from '../settings';

const EXPERIMENT = 'plugin::personalization.experiment';
const SEGMENT = 'plugin::personalization.segment';

export interface ExperimentRecord {
  id: number;
  documentId: string;
  name: string;
  key: string;
  contentType: string;
  baseDocumentId: string;
  arms: ExperimentArm[];
  coverage: number;
  goals: string[] | null;
  audience: unknown;
  segments: string[] | null;
  status: ExperimentStatus;
  seed: string;
  startedAt: string | null;
  stoppedAt: string | null;
  promotedArm: string | null;
  createdAt?: string;
  updatedAt?: string;
}

/** A running experiment as delivery reads it: compiled, with the variant keys its arms serve. */
export interface RunningExperiment extends LiveExperiment {
  contentType: string;
  baseDocumentId: string;
  armVariants: ReadonlySet<string>;
  coverage: number;
  /** Attribute names the audience and segments read (for explain and the simulator). */
  reads: readonly string[];
}

const NEVER: CompiledRule = compileAudience({ '==': [1, 0] });

/**
 * Running experiments by content type and base entry, and the goals any experiment names, held in
 * memory and reloaded when experiments change here or on another instance (with the variant index,
 * on the same coherence announcement). Delivery and the events endpoint never query for them.
 */
const experimentIndex = ({ strapi }: { strapi: Core.Strapi }) => {
  let byBase = new Map<string, RunningExperiment>();
  let byGoal = new Map<string, RunningExperiment[]>();
  let goals = new Set<string>();

  function live(record: ExperimentRecord, segmentRules: Map<string, CompiledRule>): RunningExperiment {
    const { config, catalogue } = settings(strapi);
    const rules = [compileAudience(record.audience ?? null), ...(record.segments ?? []).map((key) => segmentRules.get(key) ?? NEVER)];
    const purposes = new Set([config.experiments.purpose]);
    // As for targeted variants: a withheld attribute reads as null, so the audience is only evaluated when all it reads may be seen.
    for (const rule of rules) purposesImplied(rule.rule, catalogue).forEach((purpose) => purposes.add(purpose));
    const arms = record.arms;
    return {
      id: record.documentId,
      key: record.key,
      seed: record.seed,
      arms,
      ranges: rangesOf({ seed: record.seed, weights: arms.map((arm) => arm.weight), coverage: record.coverage }),
      goals: record.goals ?? [],
      purposes: [...purposes],
      matches: rules.length === 1 ? rules[0].evaluate : (context: object) => rules.every((rule) => rule.evaluate(context)),
      contentType: record.contentType,
      baseDocumentId: record.baseDocumentId,
      armVariants: new Set(arms.flatMap((arm) => (arm.variant === null ? [] : [arm.variant]))),
      coverage: Number(record.coverage),
      reads: [...new Set(rules.flatMap((rule) => rule.reads))],
    };
  }

  async function load(): Promise<void> {
    const records: ExperimentRecord[] = await strapi.db.query(EXPERIMENT).findMany({ orderBy: [{ id: 'asc' }] });
    const started = records.filter((record) => record.status === 'running');
    const segmentKeys = [...new Set(started.flatMap((record) => record.segments ?? []))];
    const segmentRows: Array<{ key: string; rule: unknown }> =
      segmentKeys.length > 0 ? await strapi.db.query(SEGMENT).findMany({ select: ['key', 'rule'], where: { key: { $in: segmentKeys } } }) : [];
    const segmentRules = new Map(segmentRows.map((row) => [row.key, compileAudience(row.rule)]));
    const nextByBase = new Map<string, RunningExperiment>();
    const nextByGoal = new Map<string, RunningExperiment[]>();
    for (const record of started) {
      const experiment = live(record, segmentRules);
      nextByBase.set(`${record.contentType}\u0000${record.baseDocumentId}`, experiment);
      for (const goal of experiment.goals) nextByGoal.set(goal, [...(nextByGoal.get(goal) ?? []), experiment]);
    }
    byBase = nextByBase;
    byGoal = nextByGoal;
    goals = new Set(records.flatMap((record) => record.goals ?? []));
  }

  let reloading: Promise<void> | null = null;
  let queued = false;

  return {
    /**
     * Reloads from the database: at boot, after a local change, and when another instance announced
     * one. Calls during a reload coalesce into one more, so an older read never lands last.
     */
    refresh(): Promise<void> {
      if (reloading) {
        queued = true;
        return reloading;
      }
      reloading = (async () => {
        try {
          do {
            queued = false;
            await load();
          } while (queued);
        } finally {
          reloading = null;
        }
      })();
      return reloading;
    },

    runningOn(uid: string, baseDocumentId: string): RunningExperiment | undefined {
      return byBase.size === 0 ? undefined : byBase.get(`${uid}\u0000${baseDocumentId}`);
    },

    /** Running experiments that count this goal. */
    runningWithGoal(goal: string): readonly RunningExperiment[] {
      return byGoal.get(goal) ?? [];
    },

    /** A goal some experiment (in any status) names: anything else is a client's mistake. */
    isKnownGoal(goal: string): boolean {
      return goals.has(goal);
    },
  };
};

export type ExperimentIndex = ReturnType<typeof experimentIndex>;
export default experimentIndex;
