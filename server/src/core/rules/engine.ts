/**
 * The one json-logic-engine instance audiences run on: the whitelisted core operators plus the
 * targeting operators, nothing else. An operator missing from its method table cannot run, in
 * either evaluation mode, even in a rule that skipped validation.
 */
import { LogicEngine } from 'json-logic-engine';
import { audienceMethods, truthy } from './engine-methods';
import { TARGETING_OPERATORS } from './targeting-operators';

/** Core JSON Logic operators audiences may use. */
export const CORE_OPERATORS = [
  '==', '===', '!=', '!==', '<', '<=', '>', '>=',
  '!', '!!', 'and', 'or', 'if', '?:',
  'in', 'var', 'missing', 'missing_some',
  '+', '-', '*', '/', '%', 'min', 'max',
  'cat', 'substr', 'some', 'all', 'none', 'merge',
] as const;

/**
 * json-logic-engine operators audiences may not use, and why (see OPERATORS.md). Conformance
 * cases that use one of them are skipped by this list, not by catching failures.
 */
export const REFUSED_OPERATORS: Readonly<Record<string, string>> = Object.freeze({
  map: 'builds arrays from data; an audience is a yes/no question',
  filter: 'builds arrays from data; use some/all/none',
  reduce: 'accumulators with their own scope; not needed for targeting',
  val: 'nested paths and scope climbing; attributes are flat, read them with var',
  exists: 'nested paths; use missing',
  get: 'reads into arbitrary objects; attributes are flat',
  keys: 'exposes object structure',
  length: 'not in the classic spec; compare strings and arrays directly',
  preserve: 'returns literal objects to the caller',
  eachKey: 'builds objects',
  pipe: 'rebinds the context',
  throw: 'exceptions as control flow; a failing rule already fails closed',
  try: 'catches errors that must fail the rule closed',
  '??': 'one way to default: var with a default value',
  not: 'alias of !',
  every: 'alias of all',
});

export const AUDIENCE_OPERATORS: ReadonlySet<string> = new Set<string>([
  ...CORE_OPERATORS,
  ...Object.keys(TARGETING_OPERATORS),
]);

/** How compiled rules run: generated code, or json-logic-engine's interpreter. */
export type EvaluationMode = 'compiled' | 'interpreted';

/**
 * Compiled rules are generated JavaScript; hosts that forbid code generation from strings
 * (`--disallow-code-generation-from-strings`, some sandboxes) get the interpreter instead.
 */
export function detectEvaluationMode(): EvaluationMode {
  try {
    new Function('return 1')();
    return 'compiled';
  } catch {
    return 'interpreted';
  }
}

export function createRuleEngine(): LogicEngine {
  const engine = new LogicEngine({});
  // A null-prototype table: in the engine's plain object, `constructor` or `__defineGetter__`
  // would resolve through Object.prototype and look like operators.
  engine.methods = Object.assign(Object.create(null), audienceMethods(CORE_OPERATORS));
  // json-logic-engine's own truthiness calls `value.constructor.name`, which throws on the
  // null-prototype objects rules read, and calls {} false where the spec calls it true.
  engine.truthy = truthy;
  return engine;
}

/** Shared by every compiled audience. */
export const ruleEngine: LogicEngine = createRuleEngine();
