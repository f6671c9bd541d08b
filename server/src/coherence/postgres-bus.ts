import type { Core } from '@strapi/strapi';
import type { Client, ClientConfig } from 'pg';
import { reconnectDelay } from './messages';
import { withTimeout, type Bus, type BusEvents } from './bus';

const APPLICATION_NAME = 'strapi-plugin-personalization';
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * PostgreSQL LISTEN/NOTIFY. Sending is one `select pg_notify(…)` on Strapi's own pool after the
 * change committed; listening needs a session of its own, outside the pool, so it is one `pg`
 * client built from knex's driver and connection settings (same host, credentials and TLS).
 */
export function postgresBus(strapi: Core.Strapi, channel: string, events: BusEvents): Bus {
  // Channel names are identifiers: ours is [a-z0-9_] (services/coherence.ts), so quoting is safe.
  if (!/^[a-z0-9_]{1,63}$/.test(channel)) throw new Error(`invalid channel name "${channel}"`);
  let client: Client | undefined;
  let listening = false;
  let stopped = false;
  let attempt = 0;
  let retry: NodeJS.Timeout | undefined;
  let backendPid: number | undefined;

  function drop(current: Client, error?: unknown): void {
    if (client !== current) return;
    client = undefined;
    const wasListening = listening;
    listening = false;
    backendPid = undefined;
    current.removeAllListeners('notification');
    current.on('error', () => undefined);
    current.end().catch(() => undefined);
    if (wasListening) events.down(error);
    if (!stopped) scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (retry || stopped) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, reconnectDelay(attempt++));
    retry.unref();
  }

  async function connect(): Promise<void> {
    // knex's PostgreSQL client: the pg module it loaded, and the settings it connects with.
    const knexClient = (strapi.db.connection as unknown as { client: { driver: { Client: typeof Client }; connectionSettings: ClientConfig } }).client;
    const current = new knexClient.driver.Client({
      ...knexClient.connectionSettings,
      application_name: APPLICATION_NAME,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    client = current;
    current.on('notification', (notification) => {
      if (notification.channel === channel && notification.payload) events.message(notification.payload);
    });
    current.on('error', (error: unknown) => drop(current, error));
    current.on('end', () => drop(current));
    try {
      await current.connect();
      await current.query(`LISTEN "${channel}"`);
      const { rows } = await current.query('select pg_backend_pid() as pid');
      if (client !== current) return;
      backendPid = rows[0]?.pid;
      listening = true;
      attempt = 0;
      events.up();
    } catch (error) {
      drop(current, error);
    }
  }

  return {
    transport: 'postgres',

    start: connect,

    async publish(text: string): Promise<void> {
      await strapi.db.connection.raw('select pg_notify(?, ?)', [channel, text]);
    },

    async ping(timeoutMs: number): Promise<void> {
      const current = client;
      if (!current || !listening) return;
      try {
        await withTimeout(current.query('select 1'), timeoutMs, 'listener ping');
      } catch (error) {
        drop(current, error);
      }
    },

    connected: () => listening,

    details: () => ({ channel, backendPid }),

    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      listening = false;
      if (current) {
        current.removeAllListeners();
        current.on('error', () => undefined);
        await current.end().catch(() => undefined);
      }
    },
  };
}
