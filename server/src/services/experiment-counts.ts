import type { Core } from '@strapi/strapi';
import { UniqueCountSketch, buildResults, type CounterRow, type ExperimentArm, type ExperimentResults } from '../core/experiments';
import { settings } from '../settings';
import { counterBuffer, utcDay, type StoredCounterRow } from './counter-buffer';

const COUNT = 'plugin::personalization.experiment-count';

/** What one instance counted for one experiment, arm and day since its last flush. */
interface Pending {
  experiment: string;
  arm: string;
  day: string;
  exposures: number;
  visitors: UniqueCountSketch;
  conversions: Map<string, number>;
  converters: Map<string, UniqueCountSketch>;
}

type StoredRow = CounterRow & StoredCounterRow;

/** A visitor as the counters see them: the 64-bit hash of the subject, never the subject. */
export type VisitorHash = readonly [number, number];

function mergeInto(target: Pending, source: Pending): void {
  target.exposures += source.exposures;
  target.visitors.merge(source.visitors);
  for (const [goal, count] of source.conversions) target.conversions.set(goal, (target.conversions.get(goal) ?? 0) + count);
  for (const [goal, sketch] of source.converters) {
    const converters = target.converters.get(goal);
    if (converters) converters.merge(sketch);
    else target.converters.set(goal, new UniqueCountSketch().merge(sketch));
  }
}

function combined(row: StoredRow | null, pending: Pending) {
  const conversions: Record<string, number> = { ...(row?.conversions ?? {}) };
  for (const [goal, count] of pending.conversions) conversions[goal] = (Number(conversions[goal]) || 0) + count;
  const converters: Record<string, string> = { ...(row?.converters ?? {}) };
  for (const [goal, sketch] of pending.converters) {
    converters[goal] = UniqueCountSketch.parse(converters[goal]).merge(sketch).serialize();
  }
  return {
    exposures: (Number(row?.exposures) || 0) + pending.exposures,
    visitors: UniqueCountSketch.parse(row?.visitors).merge(pending.visitors).serialize(),
    conversions,
    converters,
  };
}

/**
 * Aggregate experiment counts per experiment, arm and day, buffered and written in batches by the
 * counter machinery (services/counter-buffer.ts): delivery and the events endpoint add to memory,
 * a flush at most every 5 s adds to the stored rows (exposures and conversions summed, sketches
 * merged), so no request waits on a database write and several instances add up.
 */
const experimentCounts = ({ strapi }: { strapi: Core.Strapi }) => {
  const counters = counterBuffer<Pending>(strapi, {
    uid: COUNT,
    label: 'experiment counts',
    keysOf: ({ experiment, arm, day }) => ({ experiment, arm, day }),
    combined: (row, pending) => combined(row as StoredRow | null, pending),
    mergeInto,
  });

  function pendingFor(experiment: string, arm: string, now: number): Pending {
    const day = utcDay(now);
    return counters.entry(`${experiment}\u0000${arm}\u0000${day}`, () => ({
      experiment,
      arm,
      day,
      exposures: 0,
      visitors: new UniqueCountSketch(),
      conversions: new Map(),
      converters: new Map(),
    }));
  }

  return {
    /** An enrolled visitor received an entry of the experiment's base in this arm. */
    expose(experiment: string, arm: string, visitor: VisitorHash, now = Date.now()): void {
      const pending = pendingFor(experiment, arm, now);
      pending.exposures += 1;
      pending.visitors.addHash(visitor[0], visitor[1]);
    },

    /** An enrolled visitor reached a goal. */
    convert(experiment: string, arm: string, goal: string, visitor: VisitorHash, now = Date.now()): void {
      const pending = pendingFor(experiment, arm, now);
      pending.conversions.set(goal, (pending.conversions.get(goal) ?? 0) + 1);
      let converters = pending.converters.get(goal);
      if (!converters) pending.converters.set(goal, (converters = new UniqueCountSketch()));
      converters.addHash(visitor[0], visitor[1]);
    },

    /** Writes everything buffered, one row per experiment, arm and day; resolves with the rows written. Flushes never overlap. */
    flush(): Promise<number> {
      return counters.flush();
    },

    /** Entries buffered and not yet written (for tests and the bench). */
    pending(): number {
      return counters.pending();
    },

    start(): void {
      counters.start(settings(strapi).config.experiments.flushIntervalMs);
    },

    /** On shutdown: no more timer, and whatever is buffered is written. */
    stop(): Promise<void> {
      return counters.stop();
    },

    async resultsOf(experiment: string, arms: readonly ExperimentArm[], goals: readonly string[]): Promise<ExperimentResults> {
      const rows = (await strapi.db.query(COUNT).findMany({
        where: { experiment },
        select: ['day', 'arm', 'exposures', 'visitors', 'conversions', 'converters'],
        orderBy: [{ day: 'asc' }, { id: 'asc' }],
      })) as CounterRow[];
      return buildResults(arms, goals, rows);
    },

    async removeOf(experiment: string): Promise<void> {
      await strapi.db.query(COUNT).deleteMany({ where: { experiment } });
      counters.drop((pending) => pending.experiment === experiment);
    },
  };
};

export type ExperimentCounts = ReturnType<typeof experimentCounts>;
export default experimentCounts;
