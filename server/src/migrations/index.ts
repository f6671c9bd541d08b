import type { Core } from '@strapi/strapi';
import uniqueVariantKeys from './001-unique-variant-keys';
import type { Migration } from './migration';

/**
 * Versioned migrations of the plugin's own tables. Strapi syncs table shapes from the schemas by
 * itself; a migration carries the data across a change that sync alone would refuse or lose. Its
 * `beforeSync` runs on the tables as the previous version left them, its `afterSync` on the new
 * ones, both on Strapi's own content-type sync hooks (as i18n's locale migrations do). The version
 * reached is kept in Strapi's core store; a database without it is one from release 0.1.0.
 */
export type { Migration };

export const MIGRATIONS: Migration[] = [uniqueVariantKeys];
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

const VERSION_KEY = { type: 'plugin', name: 'personalization', key: 'schema_version' } as const;
/** Present since the first release: its absence means the plugin's tables were never created. */
const FIRST_TABLE = 'personalization_variants';

async function hasTable(strapi: Core.Strapi, table: string): Promise<boolean> {
  return strapi.db.getSchemaConnection().hasTable(table);
}

/** The schema version of the plugin's tables in this database: 0 for release 0.1.0, which stored none. */
export async function storedSchemaVersion(strapi: Core.Strapi): Promise<number> {
  const value = await strapi.store.get(VERSION_KEY);
  return typeof value === 'number' ? value : 0;
}

export function registerMigrations(strapi: Core.Strapi): void {
  let pending: Migration[] = [];
  let fresh = false;

  strapi.hook('strapi::content-types.beforeSync').register(async () => {
    fresh = !(await hasTable(strapi, FIRST_TABLE));
    // A fresh install (or one whose tables Strapi dropped on an uninstall) starts at the latest version.
    if (fresh) return;
    const current = (await hasTable(strapi, 'strapi_core_store_settings')) ? await storedSchemaVersion(strapi) : 0;
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `The personalization plugin's tables are at schema version ${current}, newer than this version of the plugin ` +
          `(${SCHEMA_VERSION}): install the newer plugin again, or restore a database from before the upgrade.`
      );
    }
    pending = MIGRATIONS.filter((migration) => migration.version > current);
    for (const migration of pending) {
      strapi.log.info(`[personalization] migrating the plugin's tables to version ${migration.version} (${migration.name})`);
      await migration.beforeSync?.(strapi);
    }
  });

  strapi.hook('strapi::content-types.afterSync').register(async () => {
    for (const migration of pending) {
      await migration.afterSync?.(strapi);
      await strapi.store.set({ ...VERSION_KEY, value: migration.version });
    }
    if (fresh) await strapi.store.set({ ...VERSION_KEY, value: SCHEMA_VERSION });
    pending = [];
  });
}
