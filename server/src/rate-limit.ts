/**
 * A fixed-window request limit per client, held in memory. Pure: no Strapi import.
 * Bounded: past `maxClients` the least recently seen client is forgotten, so a flood of
 * addresses costs memory up to that cap and no more (a forgotten client starts a new window).
 */
import { LRUCache } from 'lru-cache';

export interface RateLimitOptions {
  windowSeconds: number;
  max: number;
  /** Clients remembered at once. */
  maxClients?: number;
}

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts one request of `client` at `now` (epoch ms) and says whether it may proceed. */
  hit(client: string, now?: number): RateVerdict;
}

interface Window {
  start: number;
  count: number;
}

const ALLOWED: RateVerdict = Object.freeze({ allowed: true });

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const windowMs = options.windowSeconds * 1000;
  const windows = new LRUCache<string, Window>({ max: options.maxClients ?? 10_000 });
  return {
    hit(client, now = Date.now()) {
      const current = windows.get(client);
      if (!current || now - current.start >= windowMs) {
        windows.set(client, { start: now, count: 1 });
        return ALLOWED;
      }
      current.count += 1;
      if (current.count <= options.max) return ALLOWED;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((current.start + windowMs - now) / 1000)) };
    },
  };
}
