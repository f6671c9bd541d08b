import type { Core } from '@strapi/strapi';
import type { Migration } from './migration';

const TABLE = 'personalization_variants';
/** As named in the variant schema's `indexes`. */
const UNIQUE_INDEX = 'personalization_variants_key_unique';
const UNIQUE_COLUMNS = ['content_type', 'base_document_id', 'key'];

/**
 * Version 1: a variant's key is unique among its base's variants in the database itself (a unique
 * index in the variant schema), not only in the admin API's check, which two concurrent requests
 * could both pass in release 0.1.0. Duplicates that release let through get a suffix (`-2`, `-3`, …)
 * before sync creates the index, which it could not do over them.
 */
const uniqueVariantKeys: Migration = {
  version: 1,
  name: 'unique variant keys per base entry',

  async beforeSync(strapi: Core.Strapi) {
    const knex = strapi.db.connection;
    const rows: Array<{ id: number; content_type: string; base_document_id: string; key: string }> = await knex(TABLE)
      .select('id', 'content_type', 'base_document_id', 'key')
      .orderBy('id', 'asc');
    const used = new Set(rows.map((row) => `${row.content_type}\u0000${row.base_document_id}\u0000${row.key}`));
    const seen = new Set<string>();
    for (const row of rows) {
      const scope = `${row.content_type}\u0000${row.base_document_id}\u0000`;
      if (!seen.has(scope + row.key)) {
        seen.add(scope + row.key);
        continue;
      }
      let suffix = 2;
      while (used.has(`${scope}${row.key}-${suffix}`)) suffix += 1;
      const key = `${row.key}-${suffix}`;
      used.add(scope + key);
      seen.add(scope + key);
      await knex(TABLE).where({ id: row.id }).update({ key });
      strapi.log.warn(
        `[personalization] variant key "${row.key}" was used twice on ${row.content_type} ${row.base_document_id}; the later variant is now "${key}"`
      );
    }
  },

  /**
   * Sync creates the index from the schema; on an upgraded SQLite database it was seen missing
   * after sync in some runs, so the step that relies on it makes sure it is there.
   */
  async afterSync(strapi: Core.Strapi) {
    if (await hasIndex(strapi, TABLE, UNIQUE_INDEX)) return;
    try {
      await strapi.db.connection.schema.alterTable(TABLE, (table) => {
        table.unique(UNIQUE_COLUMNS, { indexName: UNIQUE_INDEX });
      });
    } catch (error) {
      strapi.log.warn(`[personalization] could not create the unique index on variant keys: ${(error as Error).message}`);
    }
  },
};

async function hasIndex(strapi: Core.Strapi, table: string, name: string): Promise<boolean> {
  const knex = strapi.db.connection;
  const client = String(knex.client.config.client);
  if (client.includes('sqlite')) {
    const rows = (await knex.raw(`PRAGMA index_list(\`${table}\`)`)) as Array<{ name: string }>;
    return rows.some((row) => row.name === name);
  }
  if (client.includes('pg') || client.includes('postgres')) {
    // Any schema: a false "present" only skips a creation sync should have done anyway.
    const result = await knex.raw('select 1 from pg_indexes where tablename = ? and indexname = ?', [table, name]);
    return result.rows.length > 0;
  }
  const [rows] = await knex.raw(`show index from \`${table}\` where Key_name = ?`, [name]);
  return (rows as unknown[]).length > 0;
}

export default uniqueVariantKeys;
