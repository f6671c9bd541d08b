import type { Core } from '@strapi/strapi';
import type { ServedCount, ServedCounts } from '../../../shared/contracts';
import { settings } from '../settings';
import { counterBuffer, utcDay } from './counter-buffer';

const COUNT = 'plugin::personalization.served-count';
const DAY_MS = 24 * 3600_000;
/** The window the admin reads: today and the six days before. */
export const SERVED_WINDOW_DAYS = 7;
/** Rows older than this are deleted: a day more than the window, for clocks that disagree. */
const KEEP_DAYS = SERVED_WINDOW_DAYS + 1;

/** What one instance counted for one base entry, variant ('' for the base) and day since its last flush. */
interface Pending {
  contentType: string;
  baseDocumentId: string;
  variant: string;
  day: string;
  served: number;
}

/** One entry a response held, as served counts key it: the base entry of `uid` and the variant served (null: the base). */
export function servedLine(uid: string, documentId: string, variant: string | null): string {
  return `${uid}\u0000${documentId}\u0000${variant ?? ''}`;
}

const KEYS = ['contentType', 'baseDocumentId', 'variant', 'day'] as const;

/**
 * One statement for a whole batch: inserts each day's row, or adds to its `served` in the database
 * on the unique keys (INSERT … ON CONFLICT DO UPDATE; on MySQL and MariaDB ON DUPLICATE KEY UPDATE),
 * so instances add up without reading first. A flush on a page of 20 counted entries is one
 * statement instead of 40.
 */
async function addServed(strapi: Core.Strapi, batch: Pending[]): Promise<void> {
  const { tableName, attributes } = strapi.db.metadata.get(COUNT) as unknown as {
    tableName: string;
    attributes: Record<string, { columnName?: string; default?: unknown }>;
  };
  // Strapi's model gives each row a documentId by default (a function); the entity manager calls it on create.
  const documentId = attributes.documentId?.default;
  const column = (name: string) => attributes[name]?.columnName ?? name;
  const knex = strapi.db.connection;
  const now = new Date();
  const rows = batch.map((pending) => {
    const row: Record<string, unknown> = { [column('served')]: pending.served, [column('revision')]: 0 };
    for (const key of KEYS) row[column(key)] = pending[key];
    if (typeof documentId === 'function') row[column('documentId')] = documentId();
    if (attributes.createdAt) row[column('createdAt')] = now;
    if (attributes.updatedAt) row[column('updatedAt')] = now;
    return row;
  });
  const served = column('served');
  const mysql = /mysql/.test(String(knex.client.config.client));
  const added = mysql ? knex.raw('?? + VALUES(??)', [served, served]) : knex.raw('?? + ??', [`${tableName}.${served}`, `excluded.${served}`]);
  const update: Record<string, unknown> = { [served]: added };
  if (attributes.updatedAt) update[column('updatedAt')] = now;
  await knex(tableName)
    .insert(rows)
    .onConflict(KEYS.map(column))
    .merge(update);
}

/**
 * How often each variant of a base entry (and the base itself) was served, per UTC day. Delivery
 * adds to memory once per response and entry (delivery/labels.ts); the shared counter machinery
 * writes the sums in batches. Nothing about the visitor is read or kept: only what was served.
 */
const servedCounts = ({ strapi }: { strapi: Core.Strapi }) => {
  const counters = counterBuffer<Pending>(strapi, {
    uid: COUNT,
    label: 'served counts',
    keysOf: ({ contentType, baseDocumentId, variant, day }) => ({ contentType, baseDocumentId, variant, day }),
    combined: (row, pending) => ({ served: (Number(row?.served) || 0) + pending.served }),
    mergeInto: (target, source) => {
      target.served += source.served;
    },
    addAll: (batch) => addServed(strapi, batch),
  });
  let prunedOn: string | null = null;
  /** Each line's counter key for the current day: lines come back on every request, their keys with them. */
  let keysOfDay = { day: '', keys: new Map<string, string>() };

  /** Once per UTC day and instance: rows that left the window go. */
  async function prune(now: number): Promise<void> {
    const today = utcDay(now);
    if (prunedOn === today) return;
    prunedOn = today;
    try {
      await strapi.db.query(COUNT).deleteMany({ where: { day: { $lt: utcDay(now - (KEEP_DAYS - 1) * DAY_MS) } } });
    } catch (error) {
      prunedOn = null;
      strapi.log.warn(`[personalization] old served counts not deleted yet: ${(error as Error).message}`);
    }
  }

  return {
    /**
     * What one response served: one `servedLine` per entry, each counted once. The line is the
     * counter's key with the day added; it is taken apart only when the day's counter is new.
     */
    recordServed(lines: Iterable<string>, now: number): void {
      if (!settings(strapi).config.servedCounts.enabled) return;
      const day = utcDay(now);
      if (keysOfDay.day !== day) keysOfDay = { day, keys: new Map() };
      for (const line of lines) {
        let key = keysOfDay.keys.get(line);
        if (key === undefined) keysOfDay.keys.set(line, (key = `${line}\u0000${day}`));
        counters.entry(key, () => {
          const [contentType, baseDocumentId, variant] = line.split('\u0000');
          return { contentType, baseDocumentId, variant, day, served: 0 };
        }).served += 1;
      }
    },

    async flush(): Promise<number> {
      const written = await counters.flush();
      await prune(Date.now());
      return written;
    },

    pending(): number {
      return counters.pending();
    },

    start(): void {
      const { enabled, flushIntervalMs } = settings(strapi).config.servedCounts;
      if (!enabled) return;
      counters.start(flushIntervalMs);
    },

    stop(): Promise<void> {
      return counters.stop();
    },

    /** The last 7 UTC days of one base: the base's count, then each variant's (those named in `variants` always). */
    async countsOf(uid: string, baseDocumentId: string, variants: readonly string[], now = Date.now()): Promise<ServedCounts> {
      const from = utcDay(now - (SERVED_WINDOW_DAYS - 1) * DAY_MS);
      const to = utcDay(now);
      const rows = (await strapi.db.query(COUNT).findMany({
        select: ['variant', 'served'],
        where: { contentType: uid, baseDocumentId, day: { $gte: from, $lte: to } },
      })) as Array<{ variant: string | null; served: number | string }>;
      const sums = new Map<string, number>([['', 0], ...variants.map((key): [string, number] => [key, 0])]);
      for (const row of rows) sums.set(row.variant ?? '', (sums.get(row.variant ?? '') ?? 0) + (Number(row.served) || 0));
      const total = [...sums.values()].reduce((sum, count) => sum + count, 0);
      const keys = [...sums.keys()].filter((key) => key !== '').sort();
      const counts: ServedCount[] = ['', ...keys].map((key) => ({
        variant: key === '' ? null : key,
        served: sums.get(key)!,
        share: total > 0 ? sums.get(key)! / total : null,
      }));
      return { contentType: uid, baseDocumentId, from, to, total, counts };
    },
  };
};

export type ServedCountsService = ReturnType<typeof servedCounts>;
export default servedCounts;
