import { Client } from 'pg';
import { describeCoherence } from '../helpers/coherence-suite';
import { DATABASE_CLIENT } from '../helpers/strapi';

/**
 * The database's own mechanism: LISTEN/NOTIFY on PostgreSQL, the change-stamp check on MySQL and
 * MariaDB, and on SQLite (several processes on one file) the same check, chosen explicitly.
 */
const mode = DATABASE_CLIENT === 'postgres' ? 'postgres' : 'poll';

describeCoherence({
  through: mode === 'postgres' ? 'PostgreSQL LISTEN/NOTIFY' : `the change-stamp check on ${DATABASE_CLIENT}`,
  cluster: { config: { coherence: { mode } } },
  // The check has no connection of its own to lose; PostgreSQL's listener does.
  loseNotifications:
    mode === 'postgres'
      ? async (cluster) => {
          const pids = await Promise.all(cluster.instances.map(async (instance) => (await instance.command('status')).details.backendPid));
          const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
          await client.connect();
          try {
            const { rows } = await client.query('select pg_terminate_backend(pid) as done from unnest($1::int[]) as pid', [pids]);
            expect(rows.map((row) => row.done)).toEqual([true, true]);
          } finally {
            await client.end();
          }
          // Each listener reconnects on its own, with backoff.
          return async () => undefined;
        }
      : undefined,
});
