/**
 * IAB TCF v2 (X-TCF-Consent) → our purposes. A purpose P is granted by the TC string iff every TCF
 * purpose mapped to P has consent (purposeConsents). Legitimate interest is ignored on purpose:
 * personalization here rests on consent only.
 */
import { TCString } from '@iabtechlabtcf/core';
import { LRUCache } from 'lru-cache';

export type TcfPurposeMap = Readonly<Record<string, readonly number[]>>;

export type TcfResult =
  | { readonly ok: true; readonly purposes: Set<string> }
  | { readonly ok: false; readonly reason: 'tcf-malformed' };

// Inner arrays are left unfrozen: frozen arrays are several times slower to iterate in V8.
export const DEFAULT_TCF_PURPOSE_MAP: TcfPurposeMap = Object.freeze({
  personalization: [5, 6],
  measurement: [8],
  marketing: [2, 3, 4],
});

/** Real TC strings with large vendor sections stay well below this. */
export const MAX_TCF_STRING_LENGTH = 8192;

// Decoding costs 30–130 µs and a visitor sends the same string on every request, so decoded
// consents are memoized. Only successes are kept, so junk cannot evict real strings.
const decoded = new LRUCache<string, ReadonlySet<number>>({
  maxSize: 4 * 1024 * 1024,
  sizeCalculation: (_value, tcString) => tcString.length + 64,
});

// base64url segments joined by dots; `=` padding is tolerated (see `withoutPadding`).
const TC_STRING = /^[A-Za-z0-9_\-=]+(\.[A-Za-z0-9_\-=]+)*$/;

export function purposesFromTcf(tcString: string, map: TcfPurposeMap = DEFAULT_TCF_PURPOSE_MAP): TcfResult {
  const consented = consentedTcfPurposes(tcString);
  if (!consented) return { ok: false, reason: 'tcf-malformed' };
  const purposes = new Set<string>();
  for (const purpose of Object.keys(map)) {
    if (allConsented(map[purpose], consented)) purposes.add(purpose);
  }
  return { ok: true, purposes };
}

/** An empty list would grant vacuously; the config schema forbids it, and so do we. */
function allConsented(required: readonly number[], consented: ReadonlySet<number>): boolean {
  if (required.length === 0) return false;
  for (let i = 0; i < required.length; i++) if (!consented.has(required[i])) return false;
  return true;
}

/** The TCF purpose ids with consent, or undefined when the string does not decode as TCF v2. */
function consentedTcfPurposes(tcString: string): ReadonlySet<number> | undefined {
  if (typeof tcString !== 'string' || tcString.length > MAX_TCF_STRING_LENGTH) return undefined;
  const cached = decoded.get(tcString);
  if (cached) return cached;
  if (!TC_STRING.test(tcString)) return undefined;
  let consented: Set<number>;
  try {
    const model = TCString.decode(withoutPadding(tcString));
    if (model.version !== 2) return undefined;
    consented = new Set();
    model.purposeConsents.forEach((hasConsent, id) => {
      if (hasConsent) consented.add(id);
    });
  } catch {
    return undefined;
  }
  decoded.set(tcString, consented);
  return consented;
}

/**
 * Some encoders (iabtcf-java's tests among them) pad segments with `=`. Padding carries no bits,
 * and @iabtechlabtcf/core refuses it, so it is stripped rather than failing a valid string.
 */
function withoutPadding(tcString: string): string {
  return tcString.includes('=') ? tcString.replace(/=+(?=\.|$)/g, '') : tcString;
}
