import { Readable } from 'node:stream';
import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { parseInput } from '../errors';
import { settings } from '../settings';
import type { RevocationsService } from './revocations';

const RECORD = 'plugin::personalization.consent-record';
const DAY_MS = 24 * 60 * 60 * 1000;
const EXPORT_BATCH = 500;

/** One proof-of-consent event. Ids, purposes, policy version and times only: never attribute values. */
export interface ConsentEvent {
  recordId: string;
  subject: string;
  event: 'granted' | 'withdrawn';
  purposes: string[];
  policyVersion: string;
  /** ISO 8601. */
  occurredAt: string;
  /** ISO 8601: when the token of this consent expires. */
  expiresAt: string;
}

export const CSV_COLUMNS = ['recordId', 'subject', 'event', 'purposes', 'policyVersion', 'occurredAt', 'expiresAt'] as const;

const dateOrDateTime = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

const filtersShape = {
  subject: z.string().min(1).max(200).optional(),
  recordId: z.string().min(1).max(200).optional(),
  event: z.enum(['granted', 'withdrawn']).optional(),
  /** Inclusive. */
  from: dateOrDateTime.optional(),
  /** Inclusive; a date alone covers that whole day (UTC). */
  to: dateOrDateTime.optional(),
};

const listSchema = z
  .object({
    ...filtersShape,
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(25),
  })
  .strict();

const exportSchema = z.object(filtersShape).strict();

type Filters = z.output<typeof exportSchema>;

function whereOf(filters: Filters): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (filters.subject) where.subject = filters.subject;
  if (filters.recordId) where.recordId = filters.recordId;
  if (filters.event) where.event = filters.event;
  const occurredAt: Record<string, Date> = {};
  if (filters.from) occurredAt.$gte = new Date(filters.from);
  if (filters.to) {
    if (filters.to.length === 10) occurredAt.$lt = new Date(Date.parse(filters.to) + DAY_MS);
    else occurredAt.$lte = new Date(filters.to);
  }
  if (Object.keys(occurredAt).length > 0) where.occurredAt = occurredAt;
  return where;
}

/** SQLite and PostgreSQL hand datetimes back in different shapes; the API always says ISO 8601. */
function isoOf(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  const date = value instanceof Date ? value : new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : (value as string));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function purposesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  if (typeof value === 'string') {
    try {
      return purposesOf(JSON.parse(value));
    } catch {
      return [];
    }
  }
  return [];
}

export interface ConsentRecordView {
  recordId: string;
  subject: string;
  event: 'granted' | 'withdrawn';
  purposes: string[];
  policyVersion: string | null;
  occurredAt: string | null;
  expiresAt: string | null;
}

function viewOf(row: Record<string, unknown>): ConsentRecordView {
  return {
    recordId: row.recordId as string,
    subject: row.subject as string,
    event: row.event as ConsentRecordView['event'],
    purposes: purposesOf(row.purposes),
    policyVersion: (row.policyVersion as string | null) ?? null,
    occurredAt: isoOf(row.occurredAt),
    expiresAt: isoOf(row.expiresAt),
  };
}

/** RFC 4180 quoting, and a leading quote on values a spreadsheet would run as a formula. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(record: ConsentRecordView): string {
  return (
    [
      record.recordId,
      record.subject,
      record.event,
      record.purposes.join(' '),
      record.policyVersion ?? '',
      record.occurredAt ?? '',
      record.expiresAt ?? '',
    ]
      .map(csvField)
      .join(',') + '\r\n'
  );
}

/** Proof-of-consent records: written on grant and withdrawal, listed and exported in the admin, purged after retention. */
const consentRecords = ({ strapi }: { strapi: Core.Strapi }) => {
  const records = () => strapi.db.query(RECORD);
  const select = [...CSV_COLUMNS];

  return {
    /** Writes the event when `consentRecords.enabled`; joins the caller's transaction, if any. */
    async add(event: ConsentEvent): Promise<void> {
      if (!settings(strapi).config.consentRecords.enabled) return;
      await records().create({
        data: {
          recordId: event.recordId,
          subject: event.subject,
          event: event.event,
          purposes: event.purposes,
          policyVersion: event.policyVersion,
          occurredAt: new Date(event.occurredAt),
          expiresAt: new Date(event.expiresAt),
        },
      });
    },

    /** Newest first, filtered by subject, record id, event and an occurrence window. */
    async list(query: unknown) {
      const { page, pageSize, ...filters } = parseInput(listSchema, query, 'query');
      const where = whereOf(filters);
      const [rows, total] = await Promise.all([
        records().findMany({
          select,
          where,
          orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
          offset: (page - 1) * pageSize,
          limit: pageSize,
        }),
        records().count({ where }),
      ]);
      return {
        data: (rows as Array<Record<string, unknown>>).map(viewOf),
        meta: { pagination: { page, pageSize, pageCount: Math.ceil(total / pageSize), total } },
      };
    },

    /** A CSV stream of every matching record, read in batches so memory stays flat. Throws InputError before streaming. */
    exportCsv(query: unknown): Readable {
      const where = whereOf(parseInput(exportSchema, query, 'query'));
      async function* lines() {
        yield CSV_COLUMNS.join(',') + '\r\n';
        let afterId = 0;
        for (;;) {
          const rows = (await records().findMany({
            select: ['id', ...select],
            where: { ...where, id: { $gt: afterId } },
            orderBy: [{ id: 'asc' }],
            limit: EXPORT_BATCH,
          })) as Array<Record<string, unknown> & { id: number }>;
          for (const row of rows) yield csvLine(viewOf(row));
          if (rows.length < EXPORT_BATCH) return;
          afterId = rows[rows.length - 1].id;
        }
      }
      return Readable.from(lines());
    },

    /** Deletes records older than `consentRecords.retentionDays`; returns how many. */
    async purge(now: Date = new Date()): Promise<number> {
      const cutoff = new Date(now.getTime() - settings(strapi).config.consentRecords.retentionDays * DAY_MS);
      const { count } = await records().deleteMany({ where: { occurredAt: { $lt: cutoff } } });
      return count;
    },
  };
};

export type ConsentRecordsService = ReturnType<typeof consentRecords>;
export default consentRecords;

const PURGE_JOB = 'personalization.purgeConsentRecords';

/**
 * Retention: consent records past `retentionDays` and revocations of expired tokens go, once at
 * start-up and daily. Strapi starts its cron service whatever `server.cron.enabled` says (that
 * flag only governs the app's own `cron.tasks`), so no app config is needed.
 */
export async function schedulePurge(strapi: Core.Strapi): Promise<void> {
  const purge = async () => {
    try {
      const plugin = strapi.plugin('personalization');
      const records = await (plugin.service('consent-records') as ConsentRecordsService).purge();
      const revocations = await (plugin.service('revocations') as RevocationsService).purge();
      if (records + revocations > 0) {
        strapi.log.info(`[personalization] retention: purged ${records} consent records and ${revocations} revocations`);
      }
    } catch (error) {
      strapi.log.error(`[personalization] retention purge failed: ${(error as Error).message}`);
    }
  };
  await purge();
  strapi.cron.add({ [PURGE_JOB]: { task: purge, options: { rule: '17 3 * * *' } } });
}
