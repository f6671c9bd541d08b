/**
 * What one instance tells the others after a committed change, and how it travels: a short JSON
 * text, well under PostgreSQL's 8000-byte NOTIFY payload limit. Pure: no Strapi import.
 */

/** Variants, segments or publication changed: rebuild the variant index from the database. */
export interface VariantsChanged {
  kind: 'variants';
}

/** A consent record was withdrawn: refuse its tokens until they expire. */
export interface RevocationAdded {
  kind: 'revocation';
  recordId: string;
  /** Epoch ms: the token's own expiry, after which the entry can be dropped. */
  expiresAt: number;
}

export type Change = VariantsChanged | RevocationAdded;

export interface Message {
  /** The sending process, so it can skip its own messages. */
  origin: string;
  /** The change stamp written with the change, when there is one (see services/coherence.ts). */
  stamp?: string;
  change: Change;
}

const MAX_ID = 200;

export function encodeMessage(message: Message): string {
  const { origin, stamp, change } = message;
  const wire: Record<string, unknown> = { o: origin, k: change.kind === 'variants' ? 'v' : 'r' };
  if (stamp) wire.s = stamp;
  if (change.kind === 'revocation') {
    wire.id = change.recordId;
    wire.x = change.expiresAt;
  }
  return JSON.stringify(wire);
}

/** The message, or undefined for anything this version does not understand: it is ignored. */
export function decodeMessage(text: string): Message | undefined {
  let wire: Record<string, unknown>;
  try {
    wire = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!wire || typeof wire !== 'object' || typeof wire.o !== 'string' || wire.o.length > MAX_ID) return undefined;
  const stamp = typeof wire.s === 'string' && wire.s.length <= MAX_ID ? wire.s : undefined;
  if (wire.k === 'v') return { origin: wire.o, stamp, change: { kind: 'variants' } };
  if (wire.k === 'r' && typeof wire.id === 'string' && wire.id.length > 0 && wire.id.length <= MAX_ID && Number.isFinite(wire.x)) {
    return { origin: wire.o, stamp, change: { kind: 'revocation', recordId: wire.id, expiresAt: wire.x as number } };
  }
  return undefined;
}

/** Delay before reconnect attempt `attempt` (0-based): doubling from 100 ms, capped, with jitter. */
export function reconnectDelay(attempt: number, capMs = 5_000, random: () => number = Math.random): number {
  const base = Math.min(capMs, 100 * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.8 + 0.4 * random()));
}
