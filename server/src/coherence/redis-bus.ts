import Redis from 'ioredis';
import { reconnectDelay } from './messages';
import { withTimeout, type Bus, type BusEvents } from './bus';

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Redis pub/sub through ioredis: one subscribing connection, one publishing one (a subscribed
 * connection may not publish). ioredis reconnects both; we subscribe again ourselves on `ready`,
 * so `up` means "subscribed", not merely "connected".
 */
export function redisBus(url: string, channel: string, name: string, events: BusEvents): Bus {
  const options = {
    connectionName: name,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (times: number) => reconnectDelay(times - 1),
    autoResubscribe: false,
    lazyConnect: true,
  };
  const subscriber = new Redis(url, { ...options, maxRetriesPerRequest: null });
  // A change is published right after it commits; when Redis is away the publish fails at once
  // (no offline queue) and the instances that missed it catch up by polling the change stamps.
  const publisher = new Redis(url, { ...options, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 2_000 });
  let listening = false;
  let stopped = false;
  let firstAttempt: (() => void) | undefined;

  subscriber.on('message', (from: string, text: string) => {
    if (from === channel) events.message(text);
  });
  subscriber.on('ready', () => {
    subscriber
      .subscribe(channel)
      .then(() => {
        if (stopped || listening) return;
        listening = true;
        events.up();
      })
      .catch(() => subscriber.disconnect(true))
      .finally(() => firstAttempt?.());
  });
  subscriber.on('close', () => {
    firstAttempt?.();
    if (!listening) return;
    listening = false;
    if (!stopped) events.down();
  });
  // ioredis reports every failed attempt here; `close` above is what changes our state.
  subscriber.on('error', () => undefined);
  publisher.on('error', () => undefined);

  return {
    transport: 'redis',

    async start(): Promise<void> {
      const attempted = new Promise<void>((resolve) => {
        firstAttempt = () => {
          firstAttempt = undefined;
          resolve();
        };
      });
      subscriber.connect().catch(() => undefined);
      publisher.connect().catch(() => undefined);
      await withTimeout(attempted, CONNECT_TIMEOUT_MS + 1_000, 'redis connect').catch(() => undefined);
    },

    async publish(text: string): Promise<void> {
      await publisher.publish(channel, text);
    },

    async ping(timeoutMs: number): Promise<void> {
      if (!listening) return;
      try {
        await withTimeout(subscriber.ping(), timeoutMs, 'subscriber ping');
      } catch {
        // Reconnects through retryStrategy; `close` reports the loss.
        subscriber.disconnect(true);
      }
    },

    connected: () => listening,

    details: () => ({ channel, connectionName: name }),

    async stop(): Promise<void> {
      stopped = true;
      listening = false;
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}
