/**
 * The one place that turns a request's consent signals into a Consent: the purposes granted and
 * the attributes rules may read. Deny by default; the most restrictive signal wins.
 *
 * - Only a valid token can GRANT purposes. TCF and GPC can only take purposes away. A TC string
 *   alone grants nothing: it carries no attributes and no revocable consent record, and
 *   personalization here is built on the visitor's own consent token.
 * - TCF restricts the purposes its map names (P survives iff every mapped TCF purpose has
 *   consent); it is silent on unmapped purposes (e.g. `functional`), which the token alone
 *   decides. A malformed TC string grants nothing: every purpose is dropped.
 * - `Sec-GPC: 1` drops the configured `gpcDenies`.
 * - `necessary` is granted with every valid token, whatever its `pur` says (a visitor cannot
 *   refuse it), but never without a token, and TCF/GPC restrictions still apply to it.
 * - Empty header values count as absent: frameworks report a missing header as ''.
 * - A preview time (`pat`) counts only in a token verified with our own secret.
 */
import { visibleAttributes, type Catalogue } from '../catalogue';
import { parseContextHeader } from './context-header';
import { purposesFromTcf, type TcfPurposeMap } from './tcf';
import type { ConsentReason, TokenFailure } from '../../../../shared/contracts/reasons';
import type { TokenResult } from './token';

export const NECESSARY_PURPOSE = 'necessary';

/** One code for the delivery label: the most relevant cause, token first. */
export type { ConsentReason };

export interface Consent {
  readonly purposes: ReadonlySet<string>;
  /** Null-prototype: only catalogue attributes whose purpose is granted. */
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly subject?: string;
  readonly recordId?: string;
  readonly reason: ConsentReason;
  /**
   * An editor's preview time (epoch ms): delivery decides as of then. Only from a token verified
   * with our own secret, which only the preview endpoint writes it into; an external issuer
   * cannot move the clock of a decision.
   */
  readonly previewAt?: number;
}

export interface ConsentSignals {
  /** The verified X-Consent-Token, or undefined when the header is absent. */
  token?: TokenResult;
  /** X-TCF-Consent. */
  tcf?: string;
  /** True for `Sec-GPC: 1`. */
  gpc?: boolean;
  /** X-Personalization-Context. */
  context?: string;
}

export interface NormalizeOptions {
  catalogue: Catalogue;
  /** The configured purpose keys; token purposes outside it are dropped. */
  purposes: ReadonlySet<string>;
  tcfMap: TcfPurposeMap;
  tcfEnabled: boolean;
  gpcDenies: readonly string[];
  contextHeaderMaxBytes: number;
}

const EMPTY_PURPOSES: ReadonlySet<string> = immutableEmptySet();
const EMPTY_ATTRIBUTES: Readonly<Record<string, unknown>> = Object.freeze(Object.create(null));

function noConsentBecause(reason: ConsentReason): Consent {
  return Object.freeze({ purposes: EMPTY_PURPOSES, attributes: EMPTY_ATTRIBUTES, reason });
}

export const NO_CONSENT: Consent = noConsentBecause('no-token');

const TOKEN_FAILURES = new Map<TokenFailure, Consent>();

export function normalizeConsent(signals: ConsentSignals, options: NormalizeOptions): Consent {
  const { token } = signals;
  if (token === undefined) return NO_CONSENT;
  if (!token.ok) return tokenFailure(token.reason);
  const { claims } = token;
  let reason: ConsentReason = 'consent';

  const granted = new Set<string>();
  if (options.purposes.has(NECESSARY_PURPOSE)) granted.add(NECESSARY_PURPOSE);
  for (const purpose of claims.pur) if (options.purposes.has(purpose)) granted.add(purpose);

  if (options.tcfEnabled && signals.tcf) {
    const tcf = purposesFromTcf(signals.tcf, options.tcfMap);
    if (!tcf.ok) {
      granted.clear();
      reason = tcf.reason;
    } else {
      for (const purpose of granted) {
        const mapped = Object.prototype.hasOwnProperty.call(options.tcfMap, purpose);
        if (mapped && !tcf.purposes.has(purpose)) granted.delete(purpose);
      }
    }
  }
  if (signals.gpc) for (const purpose of options.gpcDenies) granted.delete(purpose);

  const attributes = visibleAttributes(options.catalogue, 'token', granted, claims.attr);
  // Nothing granted means no context attribute could be visible: skip the decoding.
  if (signals.context && granted.size > 0) {
    const context = parseContextHeader(signals.context, options.contextHeaderMaxBytes);
    if (context.ok) {
      copyInto(attributes, visibleAttributes(options.catalogue, 'context', granted, context.raw));
    } else if (reason === 'consent') {
      reason = context.reason;
    }
  }
  // Per-request answers are readonly by type only; freezing would cost a quarter of a
  // microsecond on the hot path. The shared no-consent answers are frozen.
  const previewAt = token.own === true ? claims.pat : undefined;
  return { purposes: granted, attributes, subject: claims.sub, recordId: claims.rid, reason, previewAt };
}

/** Object.assign and for…in are several times slower on null-prototype (dictionary) objects. */
function copyInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  const names = Object.keys(source);
  for (let i = 0; i < names.length; i++) target[names[i]] = source[names[i]];
}

function tokenFailure(reason: TokenFailure): Consent {
  let consent = TOKEN_FAILURES.get(reason);
  if (!consent) TOKEN_FAILURES.set(reason, (consent = noConsentBecause(reason)));
  return consent;
}

/** Shared by every no-consent answer, so nobody may add to it, even past the type system. */
function immutableEmptySet(): ReadonlySet<string> {
  const set = new Set<string>();
  const refuse = () => {
    throw new TypeError('NO_CONSENT purposes are immutable');
  };
  for (const method of ['add', 'delete', 'clear']) {
    Object.defineProperty(set, method, { value: refuse });
  }
  return Object.freeze(set);
}
