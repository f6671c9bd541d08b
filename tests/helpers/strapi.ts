import fs from 'fs';
import path from 'path';
import { Client } from 'pg';
import type { Core } from '@strapi/strapi';

export const APP_DIR = path.resolve(__dirname, '../../playground');
const SOURCE_PLUGIN = path.resolve(__dirname, '../fixtures/plugin-source');

export const DATABASE_CLIENT = process.env.DATABASE_CLIENT ?? 'sqlite';

export interface StartOptions {
  /** Plugin config merged over the playground's (JSON-serialisable). */
  config?: Record<string, unknown>;
}

/**
 * PERSONALIZATION_TEST_BUILT=1 loads the built package (`dist` through the exports map) instead
 * of the TypeScript sources, to prove the packaged artifact.
 */
const LOAD_BUILT = process.env.PERSONALIZATION_TEST_BUILT === '1';

let sqliteFile: string | undefined;

function workerTag(): string {
  return `w${process.env.JEST_WORKER_ID ?? '0'}_${process.pid}`;
}

/** Runs statements as root on the MySQL/MariaDB server (127.0.0.1:3306, empty password). */
async function mysqlAdmin(statements: string[]): Promise<void> {
  const mysql = require('mysql2/promise');
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
  try {
    for (const statement of statements) await connection.query(statement);
  } finally {
    await connection.end();
  }
}

/** A fresh, empty database for this test file: its own SQLite file, Postgres schema or MySQL database. */
export async function prepareDatabase(): Promise<void> {
  if (DATABASE_CLIENT === 'mysql') {
    const database = `personalization_${workerTag()}`;
    await mysqlAdmin([
      `DROP DATABASE IF EXISTS \`${database}\``,
      `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    ]);
    process.env.DATABASE_NAME = database;
    return;
  }
  if (DATABASE_CLIENT === 'postgres') {
    const schema = `personalization_${workerTag()}`;
    const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(`CREATE SCHEMA "${schema}"`);
    await client.end();
    process.env.DATABASE_SCHEMA = schema;
    return;
  }
  if (DATABASE_CLIENT === 'sqlite') {
    sqliteFile = `.tmp/test-${workerTag()}-${Date.now()}.db`;
    process.env.DATABASE_FILENAME = sqliteFile;
  }
}

export async function dropDatabase(): Promise<void> {
  if (DATABASE_CLIENT === 'mysql' && process.env.DATABASE_NAME) {
    await mysqlAdmin([`DROP DATABASE IF EXISTS \`${process.env.DATABASE_NAME}\``]);
  }
  if (DATABASE_CLIENT === 'postgres' && process.env.DATABASE_SCHEMA) {
    const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${process.env.DATABASE_SCHEMA}" CASCADE`);
    await client.end();
  }
  if (sqliteFile) {
    for (const suffix of ['', '-wal', '-shm', '-journal']) {
      fs.rmSync(path.join(APP_DIR, sqliteFile + suffix), { force: true });
    }
    sqliteFile = undefined;
  }
}

/** Boots the playground app with the plugin, mounted for supertest, on a fresh database. */
export async function startStrapi(options: StartOptions = {}): Promise<Core.Strapi> {
  process.env.DATABASE_CLIENT = DATABASE_CLIENT;
  process.env.PERSONALIZATION_CONFIG = JSON.stringify(options.config ?? {});
  if (LOAD_BUILT) delete process.env.PERSONALIZATION_PLUGIN_PATH;
  else process.env.PERSONALIZATION_PLUGIN_PATH = SOURCE_PLUGIN;
  await prepareDatabase();

  const { createStrapi } = require('@strapi/strapi');
  const app: Core.Strapi = createStrapi({
    appDir: APP_DIR,
    distDir: APP_DIR,
    autoReload: false,
    serveAdminPanel: false,
  });
  app.log.level = 'error';
  try {
    await app.load();
  } catch (error) {
    await app.destroy().catch(() => undefined);
    await dropDatabase();
    throw error;
  }
  await app.server.mount();
  return app;
}

export async function stopStrapi(app: Core.Strapi | undefined): Promise<void> {
  if (app) await app.destroy();
  await dropDatabase();
}

/** Lets the Public role call the given content-API actions, e.g. `api::article.article.find`. */
export async function grantPublic(app: Core.Strapi, actions: string[]): Promise<void> {
  const role = await app.db.query('plugin::users-permissions.role').findOne({ where: { type: 'public' } });
  for (const action of actions) {
    await app.db.query('plugin::users-permissions.permission').create({ data: { action, role: role.id } });
  }
}

export const ADMIN = { email: 'admin@example.com', password: 'Admin-test-123', firstname: 'Test', lastname: 'Admin' };

/** Registers the first (super) admin and returns its JWT for admin routes. */
export async function adminToken(app: Core.Strapi): Promise<string> {
  const request = (await import('supertest')).default;
  await request(app.server.httpServer).post('/admin/register-admin').send(ADMIN);
  const login = await request(app.server.httpServer)
    .post('/admin/login')
    .send({ email: ADMIN.email, password: ADMIN.password })
    .expect(200);
  return login.body.data.token;
}

/**
 * Counts SQL queries the database layer runs for HTTP requests while `work` runs. Background work
 * (the coherence check on MySQL or PostgreSQL) runs outside any request and is not counted.
 */
export async function countQueries<T>(app: Core.Strapi, work: () => Promise<T>): Promise<{ result: T; queries: number }> {
  const knex = app.db.connection as any;
  let queries = 0;
  const onQuery = () => {
    if (app.requestContext.get()) queries += 1;
  };
  knex.on('query', onQuery);
  try {
    const result = await work();
    return { result, queries };
  } finally {
    knex.removeListener('query', onQuery);
  }
}
