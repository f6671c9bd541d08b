/**
 * The revocations an instance holds in memory, bounded. Revocations last until their token's
 * expiry (180 days by default), so a large site accumulates many; memory keeps the `limit` most
 * recent. While every live revocation fits, memory is complete and answers alone. Once one is let
 * go (or the database holds more than fit), memory answers "revoked" for what it holds and "don't
 * know" for the rest, and the verifier asks the database for a token it verifies afresh (one
 * indexed lookup per token, then cached). Tokens already cached were checked when verified, and
 * every later withdrawal arrives here as the newest entry; the tokens of a revocation let go are
 * dropped from the token cache, so they are checked again. Pure: no Strapi import.
 */
import { LRUCache } from 'lru-cache';

export interface RevocationMemoryOptions {
  limit: number;
  /** A revocation let go to make room: its tokens must not stay cached unchecked. */
  onEvict?: (recordId: string) => void;
}

export function revocationMemory({ limit, onEvict }: RevocationMemoryOptions) {
  let complete = true;
  const held = new LRUCache<string, number>({
    max: limit,
    dispose: (_expiresAt, recordId, reason) => {
      if (reason !== 'evict') return;
      complete = false;
      onEvict?.(recordId);
    },
  });

  return {
    /** True when revoked; false when not; undefined when memory cannot tell (ask the database). */
    has(recordId: string): boolean | undefined {
      if (held.has(recordId)) return true;
      return complete ? false : undefined;
    },

    /** A revocation, newest first in line to stay. */
    add(recordId: string, expiresAt: number): void {
      held.set(recordId, expiresAt);
    },

    /**
     * After reading the newest revocations from the database (at most `limit`, oldest first):
     * `total` is how many live ones it holds, so memory knows whether it holds them all.
     */
    loaded(rows: Iterable<[string, number]>, total: number): void {
      for (const [recordId, expiresAt] of rows) held.set(recordId, expiresAt);
      complete = total <= limit;
    },

    /** Lets go of revocations of tokens that can no longer verify anyway. */
    forgetExpired(before: number): void {
      for (const [recordId, expiresAt] of held.entries()) if (expiresAt < before) held.delete(recordId);
    },

    get size(): number {
      return held.size;
    },

    get complete(): boolean {
      return complete;
    },
  };
}

export type RevocationMemory = ReturnType<typeof revocationMemory>;
