import type { Core } from '@strapi/strapi';
import { DATABASE_CLIENT } from './strapi';

/**
 * Every row of every table of the test database, as text (one JSON line a row, byte columns read
 * as UTF-8), and the table names: what the privacy checks search for values that must not be there.
 */
export async function databaseText(strapi: Core.Strapi): Promise<{ text: string; tables: string[] }> {
  const knex = strapi.db.connection as any;
  let tables: string[];
  let read: (table: string) => Promise<unknown[]>;
  if (DATABASE_CLIENT === 'postgres') {
    const schema = process.env.DATABASE_SCHEMA!;
    const result = await knex.raw("select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE'", [schema]);
    tables = result.rows.map((row: { table_name: string }) => row.table_name);
    read = (table) => knex.withSchema(schema).select('*').from(table);
  } else if (DATABASE_CLIENT === 'mysql') {
    const [rows] = await knex.raw(
      "select table_name as name from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE'"
    );
    tables = rows.map((row: { name: string }) => row.name);
    read = (table) => knex.select('*').from(table);
  } else {
    const rows = await knex.raw("select name from sqlite_master where type = 'table'");
    tables = rows.map((row: { name: string }) => row.name);
    read = (table) => knex.select('*').from(table);
  }
  const parts: string[] = [];
  for (const table of tables) {
    for (const row of await read(table)) {
      parts.push(
        JSON.stringify(row, (_, value) =>
          value && value.type === 'Buffer' && Array.isArray(value.data) ? Buffer.from(value.data).toString('utf8') : value
        )
      );
    }
  }
  return { text: parts.join('\n'), tables };
}
