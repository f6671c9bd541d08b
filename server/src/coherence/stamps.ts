import { createHash, randomBytes } from 'node:crypto';
import type { Core } from '@strapi/strapi';

/**
 * Change stamps live in Strapi's own key-value table (`strapi::core-store`), one row per kind: a
 * random value rewritten after every committed change. Comparing them is the whole poll.
 */
const STORE = 'strapi::core-store';
const STAMP_KEYS = {
  variants: 'plugin_personalization_coherence_variants',
  revocations: 'plugin_personalization_coherence_revocations',
} as const;
export type StampKind = keyof typeof STAMP_KEYS;
export type Stamps = Record<StampKind, string | undefined>;

/** Marks the background check in database logs: it is never part of a content request. */
const SQL_TAG = 'strapi-plugin-personalization coherence';

/** The transport the coherence config names on this database. */
export type Transport = 'postgres' | 'redis' | 'poll' | 'off';

/** The transport `mode` names on this database. */
export function chooseTransport(mode: string, redisUrl: string | undefined, client: string): Transport {
  if (mode === 'postgres' && client !== 'postgres') {
    throw new Error(`Invalid "personalization" plugin config: coherence.mode: "postgres" needs a PostgreSQL database, this one is ${client}`);
  }
  if (mode !== 'auto') return mode as Transport;
  if (redisUrl) return 'redis';
  if (client === 'postgres') return 'postgres';
  if (client === 'mysql') return 'poll';
  // SQLite is the one-process embedded default; several processes on one file set mode: 'poll'.
  return 'off';
}

/** 16 hex digits naming this database (and schema): sites sharing a Redis or a PostgreSQL server never mix. */
export function siteKey(strapi: Core.Strapi): string {
  const connection = (strapi.db.connection as unknown as { client: { connectionSettings?: Record<string, unknown> } }).client.connectionSettings ?? {};
  const scope = JSON.stringify([
    strapi.db.dialect.client,
    connection.host ?? null,
    connection.port ?? null,
    connection.database ?? connection.filename ?? null,
    strapi.db.getInfo().schema ?? null,
  ]);
  return createHash('sha256').update(scope).digest('hex').slice(0, 16);
}

/** One notification channel per database (and schema). */
export function channelName(strapi: Core.Strapi): string {
  return `personalization_${siteKey(strapi)}`;
}

export function newStamp(): string {
  return `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

function decodeStamp(value: string): string {
  try {
    return String(JSON.parse(value));
  } catch {
    return value;
  }
}

/** Reading and writing the stamps of this database. */
export function stampStore(strapi: Core.Strapi) {
  const table = () => {
    const { tableName } = strapi.db.metadata.get(STORE);
    return strapi.db.getConnection(tableName);
  };

  async function read(): Promise<Stamps> {
    const rows: Array<{ key: string; value: string }> = await table()
      .comment(SQL_TAG)
      .select('key', 'value')
      .whereIn('key', Object.values(STAMP_KEYS));
    const stampOf = (kind: StampKind) => {
      // Two instances booting at once may both have created the row: any change to either counts.
      const values = rows.filter((row) => row.key === STAMP_KEYS[kind]).map((row) => decodeStamp(row.value));
      return values.length ? [...new Set(values)].sort().join('|') : undefined;
    };
    return { variants: stampOf('variants'), revocations: stampOf('revocations') };
  }

  return {
    read,

    /** Creates the row of each kind that has none yet. */
    async ensure(): Promise<void> {
      const existing = await read();
      for (const kind of Object.keys(STAMP_KEYS) as StampKind[]) {
        if (existing[kind] !== undefined) continue;
        await strapi.db.query(STORE).create({
          data: { key: STAMP_KEYS[kind], value: JSON.stringify(newStamp()), type: 'string', environment: null, tag: null },
        });
      }
    },

    /**
     * Replaces the stamp only if it is still the one just read (compare and swap), so every stamp has
     * one predecessor; returns it. Undefined when there is none to name (no row, or two rows).
     */
    async write(kind: StampKind, stamp: string): Promise<string | undefined> {
      const key = STAMP_KEYS[kind];
      const value = JSON.stringify(stamp);
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const rows: Array<{ value: string }> = await table().comment(SQL_TAG).select('value').where({ key });
        if (rows.length !== 1) break;
        if (await table().comment(SQL_TAG).where({ key, value: rows[0].value }).update({ value })) return decodeStamp(rows[0].value);
      }
      const updated = await table().comment(SQL_TAG).where({ key }).update({ value });
      if (!updated) {
        await strapi.db.query(STORE).create({ data: { key, value, type: 'string', environment: null, tag: null } });
      }
      return undefined;
    },
  };
}
