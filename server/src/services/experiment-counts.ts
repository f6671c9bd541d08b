import type { Core } from '@strapi/strapi';
import { UniqueCountSketch, buildResults, type CounterRow, type ExperimentArm, type ExperimentResults } from '../core/experiments';
import { settings } from '../settings';

const COUNT = 'plugin::personalization.experiment-count';
/** Optimistic writes that lost to another instance are retried this many times, then kept for the next flush. */
const ATTEMPTS = 8;

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

interface StoredRow extends CounterRow {
  id: number;
  revision: number;
}

/** A visitor as the counters see them: the 64-bit hash of the subject, never the subject. */
export type VisitorHash = readonly [number, number];

function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/**
 * Aggregate experiment counts. Delivery and the events endpoint add to an in-memory buffer; a
 * timer writes it in one batch per interval (at most every 5 s) and `stop` writes the rest on
 * shutdown, so no request ever waits on a database write. Each instance adds its increments to the
 * stored row (exposures and conversions summed, sketches merged) under an optimistic revision
 * check, so several instances add up and none overwrites another.
 */
const experimentCounts = ({ strapi }: { strapi: Core.Strapi }) => {
  let buffer = new Map<string, Pending>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<number> = Promise.resolve(0);

  function pendingFor(experiment: string, arm: string, now: number): Pending {
    const day = utcDay(now);
    const key = `${experiment}\u0000${arm}\u0000${day}`;
    let pending = buffer.get(key);
    if (!pending) {
      pending = { experiment, arm, day, exposures: 0, visitors: new UniqueCountSketch(), conversions: new Map(), converters: new Map() };
      buffer.set(key, pending);
    }
    return pending;
  }

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

  /** Adds one buffered entry to its stored row; false when other instances kept winning the race. */
  async function write(pending: Pending): Promise<boolean> {
    const where = { experiment: pending.experiment, arm: pending.arm, day: pending.day };
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const row = (await strapi.db.query(COUNT).findOne({ where })) as StoredRow | null;
      if (!row) {
        try {
          await strapi.db.query(COUNT).create({ data: { ...where, ...combined(null, pending), revision: 0 } });
          return true;
        } catch {
          // Another instance created the row first (unique experiment, arm, day): add to it instead.
          continue;
        }
      }
      const revision = Number(row.revision) || 0;
      const { count } = await strapi.db
        .query(COUNT)
        .updateMany({ where: { id: row.id, revision }, data: { ...combined(row, pending), revision: revision + 1 } });
      if (count === 1) return true;
    }
    return false;
  }

  async function flushNow(): Promise<number> {
    if (buffer.size === 0) return 0;
    const batch = buffer;
    buffer = new Map();
    let written = 0;
    for (const [key, pending] of batch) {
      let done = false;
      try {
        done = await write(pending);
      } catch (error) {
        strapi.log.warn(`[personalization] experiment counts not written yet: ${(error as Error).message}`);
      }
      if (done) {
        written += 1;
        continue;
      }
      // Kept for the next flush, with whatever was counted meanwhile.
      const current = buffer.get(key);
      if (current) mergeInto(current, pending);
      else buffer.set(key, pending);
    }
    return written;
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
      flushing = flushing.then(flushNow, flushNow);
      return flushing;
    },

    /** Entries buffered and not yet written (for tests and the bench). */
    pending(): number {
      return buffer.size;
    },

    start(): void {
      if (timer) return;
      timer = setInterval(() => void this.flush(), settings(strapi).config.experiments.flushIntervalMs);
      timer.unref();
    },

    /** On shutdown: no more timer, and whatever is buffered is written. */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await this.flush();
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
      for (const [key, pending] of buffer) if (pending.experiment === experiment) buffer.delete(key);
    },
  };
};

export type ExperimentCounts = ReturnType<typeof experimentCounts>;
export default experimentCounts;
