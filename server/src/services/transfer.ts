import fs from 'fs';
import type { Core, UID } from '@strapi/strapi';
import { z } from 'zod';
import { InputError, parseInput } from '../errors';
import { outsideRequest } from '../internal';
import { SCHEMA_VERSION, storedSchemaVersion } from '../migrations';
import type { CoherenceService } from './coherence';
import type { ReconcileService } from './reconcile';
import type { RevocationsService } from './revocations';
import type { ImportResult } from '../../../shared/contracts/upkeep';
import type { VariantIndex, VariantRecord } from './variant-index';

export type { ImportResult };

export const EXPORT_FORMAT = 'strapi-plugin-personalization/export';
export const EXPORT_VERSION = 1;
/** Rows read or written per query. */
const BATCH = 500;
/** Columns every plugin table has besides its attributes; `id` is the database's and not carried. */
const SYSTEM_FIELDS = ['documentId', 'createdAt', 'updatedAt', 'publishedAt', 'locale'];

export interface PluginExport {
  format: typeof EXPORT_FORMAT;
  version: number;
  exportedAt: string;
  /** Schema version of the plugin's tables when exported (server/src/migrations). */
  schemaVersion: number;
  /** Rows by table: `variant`, `segment`, `consent-record`, `revocation`, … */
  tables: Record<string, Array<Record<string, unknown>>>;
}

const importSchema = z
  .object({
    format: z.literal(EXPORT_FORMAT),
    version: z.number().int().min(1).max(EXPORT_VERSION),
    exportedAt: z.string().optional(),
    schemaVersion: z.number().int().min(0).optional(),
    tables: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
  })
  .passthrough();

/** A plugin table's attributes, as much of each as the transfer reads. */
type Attributes = Record<string, { type: string; unique?: boolean }>;

/**
 * Everything the plugin holds, out and back in: each of its tables (variant records, segments,
 * consent records, revocations, detached records and any later one) as JSON. Strapi drops a
 * plugin's tables when the plugin is removed; this is how their rows survive an uninstall.
 */
const transfer = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = <T>(name: string) => strapi.plugin('personalization').service(name) as T;

  /** The plugin's content types by short name, in a stable order. */
  function tables(): Array<{ name: string; uid: string; attributes: Attributes }> {
    const contentTypes = strapi.plugin('personalization').contentTypes as unknown as Record<string, { attributes: Attributes }>;
    return Object.keys(contentTypes)
      .sort()
      .map((name) => ({ name, uid: `plugin::personalization.${name}`, attributes: contentTypes[name].attributes }));
  }

  /** The columns of a row worth carrying: scalar and JSON attributes, not relations (createdBy, updatedBy). */
  function carried(attributes: Attributes): string[] {
    const own = Object.keys(attributes).filter((name) => attributes[name].type !== 'relation' && !SYSTEM_FIELDS.includes(name));
    return [...SYSTEM_FIELDS.filter((name) => name in attributes || name === 'documentId'), ...own];
  }

  async function exportAll(): Promise<PluginExport> {
    return outsideRequest(strapi, async () => {
      const out: PluginExport['tables'] = {};
      for (const { name, uid, attributes } of tables()) {
        const fields = carried(attributes);
        const rows: Array<Record<string, unknown>> = [];
        for (let offset = 0; ; offset += BATCH) {
          const batch = await strapi.db.query(uid as UID.Schema).findMany({ select: fields, orderBy: [{ id: 'asc' }], offset, limit: BATCH });
          rows.push(...batch.map((row: Record<string, unknown>) => pick(row, fields)));
          if (batch.length < BATCH) break;
        }
        out[name] = rows;
      }
      return {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        exportedAt: new Date().toISOString(),
        schemaVersion: await storedSchemaVersion(strapi),
        tables: out,
      };
    });
  }

  async function importAll(body: unknown, { relink = false }: { relink?: boolean } = {}): Promise<ImportResult> {
    const input = parseInput(importSchema, body);
    if ((input.schemaVersion ?? 0) > SCHEMA_VERSION) {
      throw new InputError('schemaVersion', `the file comes from a newer version of the plugin (schema ${input.schemaVersion}, this one has ${SCHEMA_VERSION})`);
    }
    const known = new Map(tables().map((table) => [table.name, table]));
    for (const name of Object.keys(input.tables)) {
      if (!known.has(name)) throw new InputError(`tables.${name}`, `this version of the plugin has no table "${name}"`);
    }
    const result: ImportResult = { imported: {}, skipped: {}, detached: 0, relinked: 0 };
    const revocations: Array<{ recordId: string; expiresAt: number }> = [];

    await outsideRequest(strapi, () =>
      strapi.db.transaction(async () => {
        for (const [name, rows] of Object.entries(input.tables)) {
          const { uid, attributes } = known.get(name)!;
          const fields = carried(attributes);
          const unique = ['documentId', ...Object.keys(attributes).filter((field) => attributes[field].unique)];
          const taken = await takenValues(uid, unique);
          const fresh: Array<Record<string, unknown>> = [];
          for (const row of rows) {
            if (unique.some((field) => row[field] !== undefined && row[field] !== null && taken.get(field)!.has(String(row[field])))) continue;
            unique.forEach((field) => row[field] !== undefined && row[field] !== null && taken.get(field)!.add(String(row[field])));
            fresh.push(pick(row, fields));
          }
          for (const row of fresh) await strapi.db.query(uid as UID.Schema).create({ data: row });
          result.imported[name] = fresh.length;
          result.skipped[name] = rows.length - fresh.length;
          if (name === 'revocation') {
            for (const row of fresh) revocations.push({ recordId: String(row.recordId), expiresAt: new Date(row.expiresAt as string).getTime() });
          }
        }
      })
    );

    // Imported variant records may name entries that stopped being variants when the plugin was removed.
    const reconciled = await service<ReconcileService>('reconcile').run({ announce: false });
    result.detached = reconciled.detachedNow.length;
    if (relink) {
      const detachedIds = new Set(reconciled.detachedNow.map((record) => record.documentId));
      for (const detached of reconciled.detached) {
        if (!detachedIds.has(detached.documentId)) continue;
        const relinked: VariantRecord | null = await service<ReconcileService>('reconcile')
          .relink(detached.documentId)
          .catch(() => null);
        if (relinked) result.relinked += 1;
      }
    }
    await service<VariantIndex>('variant-index').rebuild();
    await service<RevocationsService>('revocations').load();
    const coherence = service<CoherenceService>('coherence');
    const now = Date.now();
    for (const revocation of revocations) {
      if (revocation.expiresAt > now) await coherence.announce({ kind: 'revocation', ...revocation });
    }
    return result;
  }

  async function takenValues(uid: string, fields: string[]): Promise<Map<string, Set<string>>> {
    const taken = new Map(fields.map((field) => [field, new Set<string>()]));
    for (let offset = 0; ; offset += BATCH) {
      const batch = await strapi.db.query(uid as UID.Schema).findMany({ select: fields, orderBy: [{ id: 'asc' }], offset, limit: BATCH });
      for (const row of batch as Array<Record<string, unknown>>) {
        for (const field of fields) if (row[field] !== null && row[field] !== undefined) taken.get(field)!.add(String(row[field]));
      }
      if (batch.length < BATCH) break;
    }
    return taken;
  }

  return {
    export: exportAll,
    import: importAll,

    /** For `strapi console`: writes the export to a file and says how many rows of each table. */
    async exportToFile(file: string): Promise<Record<string, number>> {
      const data = await exportAll();
      fs.writeFileSync(file, JSON.stringify(data));
      return Object.fromEntries(Object.entries(data.tables).map(([name, rows]) => [name, rows.length]));
    },

    /** For `strapi console`: imports a file written by `exportToFile` or the admin export. */
    async importFromFile(file: string, options: { relink?: boolean } = {}): Promise<ImportResult> {
      return importAll(JSON.parse(fs.readFileSync(file, 'utf8')), options);
    },
  };
};

function pick(row: Record<string, unknown>, fields: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (row[field] !== undefined) out[field] = row[field];
  return out;
}

export type TransferService = ReturnType<typeof transfer>;
export default transfer;
