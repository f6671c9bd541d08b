import fs from 'node:fs';
import path from 'node:path';
import { AppCopy } from '../helpers/app-copy';
import { startCluster, startInstance, type Cluster, type Instance } from '../helpers/instance';
import { Client } from 'pg';
import { ADMIN, DATABASE_CLIENT } from '../helpers/strapi';
import type { Fixture } from './fixture';
import type { FuzzRequest, FuzzTarget } from './fuzz';

const FIXTURE = path.resolve(__dirname, 'fixture.ts');
/** INSTANCE_LOG_LEVEL=error shows the stack of each 5xx when replaying a seed. */
const LOG_LEVEL = process.env.INSTANCE_LOG_LEVEL ?? 'fatal';

/**
 * The reference app's own database, of the same kind as the one under test (its errors differ from
 * one database to another: PostgreSQL refuses a NUL character in text, SQLite does not).
 */
async function referenceDatabase(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (DATABASE_CLIENT === 'postgres') {
    const schema = `${process.env.DATABASE_SCHEMA}_plain`;
    const run = async (statements: string[]) => {
      const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
      await client.connect();
      try {
        for (const statement of statements) await client.query(statement);
      } finally {
        await client.end();
      }
    };
    await run([`DROP SCHEMA IF EXISTS "${schema}" CASCADE`, `CREATE SCHEMA "${schema}"`]);
    return { env: { DATABASE_CLIENT, DATABASE_SCHEMA: schema }, drop: () => run([`DROP SCHEMA IF EXISTS "${schema}" CASCADE`]) };
  }
  if (DATABASE_CLIENT === 'mysql') {
    const database = `${process.env.DATABASE_NAME}_plain`;
    const run = async (statements: string[]) => {
      const mysql = require('mysql2/promise');
      const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' });
      try {
        for (const statement of statements) await connection.query(statement);
      } finally {
        await connection.end();
      }
    };
    await run([`DROP DATABASE IF EXISTS \`${database}\``, `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`]);
    return { env: { DATABASE_CLIENT, DATABASE_NAME: database }, drop: () => run([`DROP DATABASE IF EXISTS \`${database}\``]) };
  }
  return { env: { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: '.tmp/plain.db' }, drop: async () => undefined };
}

export interface FuzzSetup {
  target: FuzzTarget;
  stop(): Promise<void>;
}

/**
 * The app under test: one Strapi process (tests/helpers/instance.ts) on a fresh database, with the
 * fuzz fixture, an admin session and a consent limit high enough for the consent endpoint to be
 * fuzzed, not refused. Beside it, the same app without the plugin on its own database of the same
 * kind, with the same entries: a request that fails there too is Strapi's own failure, not the plugin's.
 */
export async function startFuzzTarget(): Promise<FuzzSetup> {
  const cluster: Cluster = await startCluster({
    count: 1,
    config: { rateLimit: { windowSeconds: 60, max: 1_000_000, events: { windowSeconds: 60, max: 1_000_000 } } },
    // Strapi logs every error it answers, its own 400s from the body parser included: thousands a run.
    env: { INSTANCE_LOG_LEVEL: LOG_LEVEL },
  });
  let plain: Instance | undefined;
  let plainDatabase: Awaited<ReturnType<typeof referenceDatabase>> | undefined;
  const copy = new AppCopy('fuzz-plain');
  const stop = async () => {
    await Promise.allSettled([cluster.stop(), plain?.stop()]);
    await plainDatabase?.drop().catch(() => undefined);
    fs.rmSync(copy.dir, { recursive: true, force: true });
  };
  try {
    const [instance] = cluster.instances;
    const fixture = await instance.command<Fixture>('call', FIXTURE, 'setUp');
    await instance.request('POST', '/admin/register-admin', { body: ADMIN });
    const login = await instance.request('POST', '/admin/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);

    plainDatabase = await referenceDatabase();
    plain = await startInstance('plain', { INSTANCE_APP_DIR: copy.dir, PERSONALIZATION_TEST_UNINSTALLED: '1', ...plainDatabase.env, INSTANCE_LOG_LEVEL: LOG_LEVEL }, { plugin: false });
    const reference = await plain.command<Fixture>('call', FIXTURE, 'setUp', [{ plugin: false }]);
    const pairs: Array<[string, string]> = [
      ...fixture.articles.map((id, i): [string, string] => [id, reference.articles[i]]),
      ...fixture.authors.map((id, i): [string, string] => [id, reference.authors[i]]),
      [fixture.homepage, reference.homepage],
    ];
    const translate = (text: string) => pairs.reduce((result, [from, to]) => result.split(from).join(to), text);

    const target: FuzzTarget = {
      port: instance.port,
      fixture,
      adminJwt: login.body.data.token,
      variantIds: () => instance.command<string[]>('call', FIXTURE, 'variantDocumentIds'),
      reference: {
        port: plain.port,
        translate: (request: FuzzRequest) => ({ ...request, path: translate(request.path), body: request.body === undefined ? undefined : translate(request.body) }),
      },
    };
    return { target, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
