/**
 * What the audience operator methods share: json-logic-engine's own methods and the marks its
 * compiler reads, the compile-hook state, and operand checks.
 */
import { defaultMethods } from 'json-logic-engine';

/** json-logic-engine's own operator implementations (its typings say little about them). */
export const builtIn = defaultMethods as unknown as Readonly<Record<string, unknown>>;

// json-logic-engine marks synchronous functions and inlined code with these registered symbols.
export const SYNC = Symbol.for('json_logic_sync');
export const COMPILED = Symbol.for('json_logic_compiled');
export const INVALID_ARGUMENTS = Object.freeze({ type: 'Invalid Arguments' });

/** The compiler's state as a `compile` hook sees it: a template tag that inlines operands. */
export interface BuildState {
  compile(strings: TemplateStringsArray, ...items: unknown[]): unknown;
}

/** Marks a helper that generated code calls as synchronous; otherwise the engine awaits it. */
export function callable<T extends (...args: never[]) => unknown>(helper: T): T {
  return Object.defineProperty(helper, SYNC, { value: true, configurable: true });
}

/** True for operands with no operator inside: they can be prepared once, at compile time. */
export function isLiteral(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  return Array.isArray(value) && value.every(isLiteral);
}

/** Refuses NaN and objects where a number is expected, as json-logic-engine's generated code does. */
export function precoerceNumber(value: unknown): unknown {
  if (Number.isNaN(value)) throw NaN;
  if (value && typeof value === 'object') throw NaN;
  return value;
}
