/**
 * What one instance tells the others after a committed change, and how it travels: a short JSON
 * text, well under PostgreSQL's 8000-byte NOTIFY payload limit. Pure: no Strapi import.
 */

/**
 * What a variants change touched: one base entry of a type (its variants, their settings, order or
 * publication), or one segment (the variants using it). No scope: everything is read again.
 */
export type VariantScope = { uid: string; base: string } | { segment: string };

/** Variants, segments or publication changed: update the variant index from the database. */
export interface VariantsChanged {
  kind: 'variants';
  scope?: VariantScope;
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
  /** The stamp it replaced: the stamps form a chain, and a gap in it shows a missed message. */
  prev?: string;
  change: Change;
}

const MAX_ID = 200;

export function encodeMessage(message: Message): string {
  const { origin, stamp, prev, change } = message;
  const wire: Record<string, unknown> = { o: origin, k: change.kind === 'variants' ? 'v' : 'r' };
  if (stamp) wire.s = stamp;
  if (prev) wire.p = prev;
  if (change.kind === 'variants' && change.scope) {
    if ('segment' in change.scope) wire.g = change.scope.segment;
    else {
      wire.t = change.scope.uid;
      wire.b = change.scope.base;
    }
  }
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
  const stamp = shortText(wire.s);
  const prev = shortText(wire.p);
  const links = { origin: wire.o, stamp, ...(prev ? { prev } : {}) };
  if (wire.k === 'v') return { ...links, change: { kind: 'variants', ...scopeOf(wire) } };
  if (wire.k === 'r' && shortText(wire.id) && Number.isFinite(wire.x)) {
    return { ...links, change: { kind: 'revocation', recordId: wire.id as string, expiresAt: wire.x as number } };
  }
  return undefined;
}

function shortText(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID ? value : undefined;
}

/** A scope that is not understood whole is no scope: the receiver reads everything again. */
function scopeOf(wire: Record<string, unknown>): { scope?: VariantScope } {
  const segment = shortText(wire.g);
  if (segment) return { scope: { segment } };
  const uid = shortText(wire.t);
  const base = shortText(wire.b);
  return uid && base ? { scope: { uid, base } } : {};
}

/** Delay before reconnect attempt `attempt` (0-based): doubling from 100 ms, capped, with jitter. */
export function reconnectDelay(attempt: number, capMs = 5_000, random: () => number = Math.random): number {
  const base = Math.min(capMs, 100 * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.8 + 0.4 * random()));
}
