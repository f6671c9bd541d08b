/**
 * Consent built from what a person states rather than from a request: a visitor's grant
 * (POST /consent), an editor's preview and the simulator. One rule for `necessary` everywhere, the
 * one delivery's normalization applies: every token grants it, nothing without a token does.
 * Pure: no Strapi, no I/O.
 */
import { hasAttributeType, visibleAttributes, type Catalogue } from '../catalogue';
import type { IgnoredReason } from '../../../../shared/contracts/simulator';
import { NECESSARY_PURPOSE } from './normalize';

/** Why an attribute would not reach a rule: unknown, built in, of the wrong type, or its purpose not granted. */
export type AttributeRefusal = IgnoredReason;

export interface InputProblem {
  field: string;
  message: string;
}

/**
 * The purposes a consent token grants for `requested`, in configured order: the requested ones
 * and `necessary`, which every valid token carries.
 */
export function tokenPurposes(requested: Iterable<string>, configured: readonly string[]): string[] {
  const wanted = new Set(requested);
  return configured.filter((key) => wanted.has(key) || key === NECESSARY_PURPOSE);
}

/** Each requested purpose that is not configured, named by its position. */
export function unknownPurposes(requested: readonly string[], configured: readonly string[]): InputProblem[] {
  const known = new Set(configured);
  return requested.flatMap((purpose, position) =>
    known.has(purpose) ? [] : [{ field: `purposes[${position}]`, message: `unknown purpose "${purpose}"` }]
  );
}

/**
 * Why the attribute `name` with `value` would not reach a rule for a visitor granted `granted`,
 * or null when it would (the filter of delivery's normalization, `visibleAttributes`).
 */
export function attributeRefusal(catalogue: Catalogue, granted: ReadonlySet<string>, name: string, value: unknown): AttributeRefusal | null {
  const definition = Object.prototype.hasOwnProperty.call(catalogue, name) ? catalogue[name] : undefined;
  if (!definition) return 'unknown';
  if (definition.source === 'builtin') return 'builtin';
  if (!hasAttributeType(definition.type, value)) return 'wrong-type';
  if (!definition.purpose || !granted.has(definition.purpose)) return 'purpose-not-granted';
  return null;
}

export interface StatedConsent {
  /** Granted purposes in configured order; none without a token. */
  purposes: string[];
  granted: ReadonlySet<string>;
  /** The attributes that reach rules, by where a visitor sends them. */
  token: Record<string, unknown>;
  context: Record<string, unknown>;
  /** The attributes stated that would not reach a rule, and why, in the order given. */
  ignored: Array<{ name: string; reason: AttributeRefusal }>;
}

/**
 * The consent a visitor with these purposes and attributes has: with a token (`withToken`), the
 * requested purposes and `necessary`; without one, nothing. Attributes are split by source and
 * filtered as delivery filters them; the others are listed with their reason.
 */
export function statedConsent(
  input: { purposes: readonly string[]; attributes: Record<string, unknown>; withToken: boolean },
  catalogue: Catalogue,
  configured: readonly string[]
): StatedConsent {
  const purposes = input.withToken ? tokenPurposes(input.purposes, configured) : [];
  const granted = new Set(purposes);
  const ignored = Object.entries(input.attributes).flatMap(([name, value]) => {
    const reason = attributeRefusal(catalogue, granted, name, value);
    return reason ? [{ name, reason }] : [];
  });
  return {
    purposes,
    granted,
    token: visibleAttributes(catalogue, 'token', granted, input.attributes),
    context: visibleAttributes(catalogue, 'context', granted, input.attributes),
    ignored,
  };
}
