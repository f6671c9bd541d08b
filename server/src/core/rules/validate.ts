/**
 * Rule validation: the checks that make a saved audience safe and meaningful, each failure
 * naming the node it found (`and[1].in[0]`), so the admin API can answer a 400 that points at it.
 *
 * `checkRuleShape` needs no catalogue: JSON only, whitelisted operators with the right number of
 * arguments, bounded depth and size, no prototype keys, `var` only by exact name, no part that
 * always fails. Compiling an audience runs it too, so an unvalidated rule cannot reach the
 * engine. `validateRule` adds the catalogue: every attribute read must be declared.
 * `validateAudience`, what saving a variant or segment runs, adds what each attribute allows:
 * operators that fit its type, constants within its values and bounds (attribute-use.ts).
 */
import { fullCatalogue, type Catalogue } from '../catalogue';
import { attributeUseProblem } from './attribute-use';
import { failingConstantPart } from './constant-parts';
import { AUDIENCE_OPERATORS, REFUSED_OPERATORS } from './engine';
import { ROOT_PATH, operatorPath, type RuleProblem } from './rule-path';

export type { RuleProblem } from './rule-path';

/** Nesting of operators and literal arrays; the root operator is level 1. */
export const MAX_RULE_DEPTH = 16;
/** UTF-8 size of the rule serialized as JSON. */
export const MAX_RULE_BYTES = 10_240;

const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** [min, max] arguments per operator; `var`, `missing` and `missing_some` are checked by hand. */
const ARITY: Readonly<Record<string, readonly [number, number]>> = {
  '==': [2, 2], '===': [2, 2], '!=': [2, 2], '!==': [2, 2],
  '<': [2, 3], '<=': [2, 3], '>': [2, 3], '>=': [2, 3],
  '!': [1, 1], '!!': [1, 1], and: [1, Infinity], or: [1, Infinity], if: [1, Infinity], '?:': [3, 3],
  in: [2, 2], '+': [1, Infinity], '-': [1, 2], '*': [1, Infinity], '/': [2, 2], '%': [2, 2],
  min: [1, Infinity], max: [1, Infinity], cat: [1, Infinity], substr: [2, 3], merge: [1, Infinity],
  some: [2, 2], all: [2, 2], none: [2, 2],
  before: [2, 2], after: [2, 2], between: [3, 3], starts_with: [2, 2], ends_with: [2, 2], contains: [2, 2],
  semver_eq: [2, 2], semver_gt: [2, 2], semver_gte: [2, 2], semver_lt: [2, 2], semver_lte: [2, 2],
};

/** Operators whose single argument may stand without the array: `{"!": x}`. */
const BARE_ARGUMENT: ReadonlySet<string> = new Set(['!', '!!', 'var', 'missing']);
const ITERATORS: ReadonlySet<string> = new Set(['some', 'all', 'none']);

/** Where `var` reads: the visitor's attributes, or the current item inside some/all/none. */
type Scope = 'attributes' | 'item';

/** Everything validateRule checks except the catalogue: what compiling an audience requires. */
export function checkRuleShape(rule: unknown): RuleProblem | null {
  return new RuleInspector(null).inspect(rule) ?? failingConstantPart(rule);
}

/** Null when the rule is valid; `catalogue` may omit the built-ins, they are always readable. */
export function validateRule(rule: unknown, catalogue: Catalogue): RuleProblem | null {
  return new RuleInspector(fullCatalogue(catalogue)).inspect(rule) ?? failingConstantPart(rule);
}

/** What a saved audience must satisfy: validateRule, then operators and constants that fit each attribute. */
export function validateAudience(rule: unknown, catalogue: Catalogue): RuleProblem | null {
  return validateRule(rule, catalogue) ?? attributeUseProblem(rule, catalogue);
}

class RuleInspector {
  /** Every node serializes to at least one byte: a cap on visits also stops shared-reference blowups. */
  private budget = MAX_RULE_BYTES;

  constructor(private readonly catalogue: Catalogue | null) {}

  inspect(rule: unknown): RuleProblem | null {
    // No audience, or everyone/no one: the only literal roots that mean something.
    if (rule === null || rule === undefined || typeof rule === 'boolean') return null;
    if (!isPlainObject(rule)) {
      return problem(ROOT_PATH, 'a rule is an operator object, true, false or null');
    }
    const found = this.node(rule, ROOT_PATH, 1, 'attributes');
    if (found) return found;
    const bytes = Buffer.byteLength(JSON.stringify(rule), 'utf8');
    if (bytes > MAX_RULE_BYTES) return problem(ROOT_PATH, `rule is ${bytes} bytes; the limit is ${MAX_RULE_BYTES}`);
    return null;
  }

  private node(value: unknown, path: string, depth: number, scope: Scope): RuleProblem | null {
    if (--this.budget < 0) return problem(ROOT_PATH, `rule is larger than ${MAX_RULE_BYTES} bytes`);
    const notJson = nonJsonProblem(value);
    if (notJson) return problem(path, notJson);
    if (value === null || typeof value !== 'object') return null;
    if (depth > MAX_RULE_DEPTH) return problem(path, `rule is nested deeper than ${MAX_RULE_DEPTH} levels`);
    if (Array.isArray(value)) return this.literalArray(value, path, depth, scope);
    return this.operator(value as Record<string, unknown>, path, depth, scope);
  }

  private literalArray(items: unknown[], path: string, depth: number, scope: Scope): RuleProblem | null {
    for (let i = 0; i < items.length; i++) {
      if (!(i in items)) return problem(`${path}[${i}]`, 'arrays may not have holes');
      const found = this.node(items[i], `${path}[${i}]`, depth + 1, scope);
      if (found) return found;
    }
    return null;
  }

  private operator(node: Record<string, unknown>, path: string, depth: number, scope: Scope): RuleProblem | null {
    const keys = Object.keys(node);
    const forbidden = Reflect.ownKeys(node).find((key) => typeof key === 'string' && FORBIDDEN_KEYS.has(key));
    if (forbidden !== undefined) return problem(path, `"${String(forbidden)}" is not allowed as a key`);
    if (keys.length !== 1) {
      const found = keys.map((key) => JSON.stringify(key)).join(', ');
      return problem(path, `an operator object has exactly one key; found ${keys.length}${found ? ` (${found})` : ''}`);
    }
    const name = keys[0];
    if (!AUDIENCE_OPERATORS.has(name)) {
      const reason = Object.prototype.hasOwnProperty.call(REFUSED_OPERATORS, name) ? `: ${REFUSED_OPERATORS[name]}` : '';
      return problem(path, `operator ${JSON.stringify(name)} is not allowed${reason}`);
    }
    const raw = node[name];
    const prefix = operatorPath(path, name);
    const notJson = nonJsonProblem(raw);
    if (notJson) return problem(prefix, notJson);
    if (name === 'var') return this.variable(raw, path, depth, scope);
    if (name === 'missing' || name === 'missing_some') return this.missing(name, raw, path, scope);

    if (!Array.isArray(raw) && !BARE_ARGUMENT.has(name)) {
      return problem(path, `${JSON.stringify(name)} takes an array of arguments`);
    }
    const args = Array.isArray(raw) ? raw : [raw];
    const [min, max] = ARITY[name];
    if (args.length < min || args.length > max) {
      return problem(path, `${JSON.stringify(name)} takes ${describeArity(min, max)}; found ${args.length}`);
    }
    for (let i = 0; i < args.length; i++) {
      if (!(i in args)) return problem(`${prefix}[${i}]`, 'arrays may not have holes');
      const argumentPath = Array.isArray(raw) ? `${prefix}[${i}]` : prefix;
      // The second argument of some/all/none runs once per item, with the item as its context.
      const argumentScope = ITERATORS.has(name) && i === 1 ? 'item' : scope;
      const found = this.node(args[i], argumentPath, depth + 1, argumentScope);
      if (found) return found;
    }
    return null;
  }

  private variable(raw: unknown, path: string, depth: number, scope: Scope): RuleProblem | null {
    const args = Array.isArray(raw) ? raw : [raw];
    const name = args[0];
    if (args.length < 1 || args.length > 2 || typeof name !== 'string') {
      return problem(path, 'var takes an attribute name, or [name, default]');
    }
    if (scope === 'item') {
      if (name !== '') return problem(path, 'inside some/all/none, var may only read the current item: {"var": ""}');
    } else {
      const bad = this.attributeProblem(name);
      if (bad) return problem(path, bad);
    }
    if (args.length === 2) {
      const prefix = operatorPath(path, 'var');
      return this.node(args[1], `${prefix}[1]`, depth + 1, scope);
    }
    return null;
  }

  private missing(name: string, raw: unknown, path: string, scope: Scope): RuleProblem | null {
    if (scope === 'item') return problem(path, `${name} cannot be used inside some/all/none`);
    const prefix = operatorPath(path, name);
    let names: unknown[];
    if (name === 'missing') {
      names = Array.isArray(raw) ? raw : [raw];
    } else {
      const count = Array.isArray(raw) ? raw[0] : undefined;
      if (!Array.isArray(raw) || raw.length !== 2 || !Number.isInteger(count) || !Array.isArray(raw[1])) {
        return problem(path, 'missing_some takes [count, [attribute names]]');
      }
      names = raw[1];
    }
    for (let i = 0; i < names.length; i++) {
      const item = names[i];
      const where = name === 'missing' ? (Array.isArray(raw) ? `${prefix}[${i}]` : prefix) : `${prefix}[1][${i}]`;
      if (typeof item !== 'string') return problem(where, `${name} takes literal attribute names`);
      const bad = this.attributeProblem(item);
      if (bad) return problem(where, bad);
    }
    return null;
  }

  private attributeProblem(name: string): string | null {
    if (name === '') return 'var must name an attribute';
    if (FORBIDDEN_KEYS.has(name) || name.includes('.') || name.includes('\\')) {
      return `${JSON.stringify(name)} is not an attribute name; rules read attributes by exact name`;
    }
    if (this.catalogue && !Object.prototype.hasOwnProperty.call(this.catalogue, name)) {
      return `unknown attribute ${JSON.stringify(name)}`;
    }
    return null;
  }
}

function problem(path: string, message: string): RuleProblem {
  return { path, message };
}

function describeArity(min: number, max: number): string {
  if (min === max) return `${min} argument${min === 1 ? '' : 's'}`;
  if (max === Infinity) return `at least ${min} argument${min === 1 ? '' : 's'}`;
  return `${min} to ${max} arguments`;
}

function isPlainObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Why a value could not have come from JSON.parse, or null when it could. */
function nonJsonProblem(value: unknown): string | null {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return null;
    case 'number':
      return Number.isFinite(value) ? null : `${value} is not a JSON number`;
    case 'object':
      if (value === null) return null;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return 'only plain arrays are allowed';
      } else if (!isPlainObject(value)) {
        return 'only plain objects are allowed';
      }
      if (Object.getOwnPropertySymbols(value).length > 0) return 'symbol keys are not JSON';
      // Reading an accessor runs code; JSON.parse never makes one.
      for (const descriptor of Object.values(Object.getOwnPropertyDescriptors(value))) {
        if (descriptor.get || descriptor.set) return 'getters and setters are not JSON';
      }
      return null;
    default:
      return `${typeof value} values are not JSON`;
  }
}
