import type { Core } from '@strapi/strapi';

/** Optimistic writes that lost to another instance are retried this many times, then kept for the next flush. */
const ATTEMPTS = 8;

/** A stored counter row: the keys, the counts, and the revision the optimistic write checks. */
export interface StoredCounterRow {
  id: number;
  revision: number;
  [column: string]: unknown;
}

/** What one kind of counter stores: which row a buffered entry adds to, and how. */
export interface CounterKind<P> {
  /** The content type of the rows (one row per key and day, unique on them). */
  uid: string;
  /** For log lines: "experiment counts", "served counts". */
  label: string;
  /** The row's key columns (`where` and the new row's keys). */
  keysOf(pending: P): Record<string, string>;
  /** The row's count columns after adding `pending` to `row` (null: a new row). */
  combined(row: StoredCounterRow | null, pending: P): Record<string, unknown>;
  /** Adds `source` into `target` (an entry that could not be written, and what was counted meanwhile). */
  mergeInto(target: P, source: P): void;
  /**
   * For counts that only add up: writes a whole batch in one statement, adding to existing rows in
   * the database itself. If it fails (a busy database, a missing unique index) that batch is written
   * row by row instead; the next flush tries the one statement again.
   */
  addAll?(batch: P[]): Promise<void>;
}

/**
 * Aggregate counters buffered in memory and written in batches. Callers add to an entry of the
 * buffer on the request path; a timer writes the buffer in one batch per interval and `stop`
 * writes the rest on shutdown, so no request ever waits on a database write. Each instance adds its
 * increments to the stored row under an optimistic revision check, so several instances add up and
 * none overwrites another. Shared by experiment counts and served counts.
 */
export function counterBuffer<P>(strapi: Core.Strapi, kind: CounterKind<P>) {
  let buffer = new Map<string, P>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<number> = Promise.resolve(0);
  let addAllFailed = false;
  const rows = () => strapi.db.query(kind.uid as any);

  /** Adds one buffered entry to its stored row; false when other instances kept winning the race. */
  async function write(pending: P): Promise<boolean> {
    const where = kind.keysOf(pending);
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const row = (await rows().findOne({ where })) as StoredCounterRow | null;
      if (!row) {
        try {
          await rows().create({ data: { ...where, ...kind.combined(null, pending), revision: 0 } });
          return true;
        } catch {
          // Another instance created the row first (unique keys and day): add to it instead.
          continue;
        }
      }
      const revision = Number(row.revision) || 0;
      const { count } = await rows().updateMany({ where: { id: row.id, revision }, data: { ...kind.combined(row, pending), revision: revision + 1 } });
      if (count === 1) return true;
    }
    return false;
  }

  /**
   * SQLite commits (and syncs the file) once per statement outside a transaction, which for a batch
   * of rows cost more than the requests it counted; there one batch is one transaction, all or
   * nothing. Two processes on one file can refuse each other's transaction (SQLITE_BUSY: both read,
   * then both want to write), so a refused batch goes back whole and is tried again after a short,
   * random pause. Elsewhere each row is its own statement: a failed insert must not abort the rest
   * of the batch.
   */
  async function flushNow(): Promise<number> {
    if (buffer.size === 0) return 0;
    if (kind.addAll) {
      const batch = take();
      try {
        await kind.addAll([...batch.values()]);
        return batch.size;
      } catch (error) {
        // Said once per process: a schema without the unique index would otherwise repeat it every flush.
        if (!addAllFailed) strapi.log.warn(`[personalization] ${kind.label}: one-statement batch failed (${(error as Error).message}); writing this batch row by row`);
        addAllFailed = true;
        for (const [key, pending] of batch) keep(key, pending);
      }
    }
    const client = String(strapi.db.connection?.client?.config?.client ?? '');
    if (!client.includes('sqlite')) return writeBatch();
    for (let attempt = 1; ; attempt += 1) {
      const batch = take();
      try {
        return await strapi.db.transaction(() => writeWhole(batch));
      } catch (error) {
        for (const [key, pending] of batch) keep(key, pending);
        if (attempt === ATTEMPTS) {
          // The timer's flush must never reject: the batch stays buffered for the next flush.
          strapi.log.warn(`[personalization] ${kind.label} not written yet: ${(error as Error).message}`);
          return 0;
        }
        await new Promise((resolve) => setTimeout(resolve, attempt * (10 + Math.random() * 40)));
      }
    }
  }

  /** Writes every entry of `batch` or throws, so the transaction around it rolls back as a whole. */
  async function writeWhole(batch: Map<string, P>): Promise<number> {
    for (const pending of batch.values()) {
      if (!(await write(pending))) throw new Error('a row kept changing under the write');
    }
    return batch.size;
  }

  /** Everything buffered so far, as one batch; counting goes on into a fresh buffer meanwhile. */
  function take(): Map<string, P> {
    const batch = buffer;
    buffer = new Map();
    return batch;
  }

  /** An entry that could not be written goes back for the next flush, with whatever was counted meanwhile. */
  function keep(key: string, pending: P): void {
    const current = buffer.get(key);
    if (current) kind.mergeInto(current, pending);
    else buffer.set(key, pending);
  }

  async function writeBatch(): Promise<number> {
    const batch = take();
    let written = 0;
    for (const [key, pending] of batch) {
      let done = false;
      try {
        done = await write(pending);
      } catch (error) {
        strapi.log.warn(`[personalization] ${kind.label} not written yet: ${(error as Error).message}`);
      }
      if (done) {
        written += 1;
        continue;
      }
      keep(key, pending);
    }
    return written;
  }

  return {
    /** The buffered entry under `key`, made by `create` when there is none yet. */
    entry(key: string, create: () => P): P {
      let pending = buffer.get(key);
      if (!pending) buffer.set(key, (pending = create()));
      return pending;
    },

    /** Writes everything buffered, one row per entry; resolves with the rows written. Flushes never overlap. */
    flush(): Promise<number> {
      flushing = flushing.then(flushNow, flushNow);
      return flushing;
    },

    /** Entries buffered and not yet written. */
    pending(): number {
      return buffer.size;
    },

    /** Forgets buffered entries (of something deleted). */
    drop(matches: (pending: P) => boolean): void {
      for (const [key, pending] of buffer) if (matches(pending)) buffer.delete(key);
    },

    start(intervalMs: number): void {
      if (timer) return;
      timer = setInterval(() => void this.flush(), intervalMs);
      timer.unref();
    },

    /** On shutdown: no more timer, and whatever is buffered is written. */
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await this.flush();
    },
  };
}

const DAY_MS = 86_400_000;
/** The last day asked for, and where it starts and ends: delivery asks once per entry counted. */
let lastDay = { from: 0, to: 0, day: '' };

/** The UTC day (`YYYY-MM-DD`) counters are kept by; formatted once per day, not once per call. */
export function utcDay(now: number): string {
  if (now >= lastDay.from && now < lastDay.to) return lastDay.day;
  const from = now - (((now % DAY_MS) + DAY_MS) % DAY_MS);
  lastDay = { from, to: from + DAY_MS, day: new Date(from).toISOString().slice(0, 10) };
  return lastDay.day;
}
