/**
 * How audience operators plug into json-logic-engine, in both of its modes: the targeting
 * operators with compile-time preparation of literal operands, and small corrections where the
 * engine's generated code and its interpreter disagree (each comment says how). The
 * conformance suites and the compiled-vs-interpreted property test pin every one of them.
 */
import type { LogicEngine } from 'json-logic-engine';
import { toInstant, toRequestInstant } from './iso-date';
import { TARGETING_OPERATORS, type TargetingOperator } from './targeting-operators';
import { anyMissingTest, cat, flatMissingNames, inList, minus, missing, plus, substr } from './engine-corrections';
import { comparator } from './engine-comparisons';
import { builtIn, callable, INVALID_ARGUMENTS, isLiteral, SYNC, type BuildState } from './engine-support';

const TARGETING_NAMES: ReadonlySet<string> = new Set(Object.keys(TARGETING_OPERATORS));

const requestInstant = callable(toRequestInstant);

/** `{"var": "now"}`: the built-in request time. */
function isRequestTime(node: unknown): boolean {
  return node !== null && typeof node === 'object' && Object.keys(node).length === 1 && (node as { var?: unknown }).var === 'now';
}

/**
 * A targeting operator as an engine method: interpreted through `method`; compiled to a direct
 * call of its test, with literal operands prepared at compile time and written into the code.
 * Calls sit in each rule's own generated code, so V8 sees one target per call site and inlines.
 */
export function toEngineMethod(operator: TargetingOperator) {
  const arity = operator.prepare.length;
  const test = callable(operator.test as (...prepared: unknown[]) => boolean);
  const prepare = operator.prepare.map((step) => callable(step as (operand: unknown) => unknown));
  return {
    method(args: unknown): boolean {
      if (!Array.isArray(args) || args.length !== arity) throw INVALID_ARGUMENTS;
      return test(...args.map((arg, i) => prepare[i](arg)));
    },
    deterministic: true,
    compile(data: unknown, buildState: BuildState): unknown {
      if (!Array.isArray(data) || data.length !== arity) return false;
      const [a, b, c] = data.map((arg, i) => {
        if (isRequestTime(arg) && operator.prepare[i] === toInstant) return buildState.compile`${requestInstant}(${arg})`;
        if (!isLiteral(arg)) return buildState.compile`${prepare[i]}(${arg})`;
        const prepared = prepare[i](arg);
        // Primitives go in as literals; anything else (a parsed version, a list) stays in a closure.
        if (prepared === null || typeof prepared !== 'object') return buildState.compile`${prepared}`;
        return buildState.compile`${callable(() => prepared)}()`;
      });
      return arity === 2 ? buildState.compile`${test}(${a}, ${b})` : buildState.compile`${test}(${a}, ${b}, ${c})`;
    },
  };
}

const requireArray = callable((value: unknown): unknown[] => {
  if (!Array.isArray(value)) throw INVALID_ARGUMENTS;
  return value;
});

/**
 * some/all/none over something that is not an array throw, as the compat-tables suites expect.
 * json-logic-engine treats it as [] instead, and its compiled `all` then answers true for a
 * missing array while its interpreter answers false; throwing makes both fail closed.
 */
export function strictIterator(name: 'some' | 'all' | 'none') {
  const original = builtIn[name] as { compile(data: unknown, buildState: BuildState): unknown };
  return {
    ...original,
    method(input: unknown, context: unknown, above: unknown[], engine: LogicEngine): boolean {
      if (!Array.isArray(input)) throw INVALID_ARGUMENTS;
      const [selector, body] = input;
      const items = requireArray(engine.run(selector, context, { above }));
      if (name === 'all' && items.length === 0) return false;
      const scope = [items, context, above];
      for (const item of items) {
        const matched = Boolean(engine.truthy(engine.run(body, item, { above: scope })));
        if (matched !== (name === 'all')) return name === 'some';
      }
      return name !== 'some';
    },
    compile(data: unknown, buildState: BuildState): unknown {
      if (!Array.isArray(data) || data.length !== 2) return false;
      return original.compile([buildState.compile`${requireArray}(${data[0]})`, data[1]], buildState);
    },
  };
}

/**
 * `{"!": x}` negates x itself. json-logic-engine's interpreter evaluates x first and then treats
 * an array result as an argument list, so `{"!": {"merge": [false]}}` negated `false` there while
 * its generated code negated `[false]`. Taking the argument unevaluated settles it the classic way.
 */
export function negation(name: '!' | '!!') {
  return {
    lazy: true,
    // json-logic-engine does not export its determinism check; not folding `!` only costs speed.
    deterministic: false,
    method(args: unknown, context: unknown, above: unknown[], engine: LogicEngine): boolean {
      const operand = Array.isArray(args) ? args[0] : args;
      const value = Boolean(engine.truthy(engine.run(operand, context, { above })));
      return name === '!' ? !value : value;
    },
    compile(data: unknown, buildState: BuildState): unknown {
      const operand = Array.isArray(data) ? data[0] : data;
      const value = truthiness(operand, buildState);
      return name === '!' ? buildState.compile`(!(${value}))` : buildState.compile`(!!(${value}))`;
    },
  };
}

/** Operators whose result is always a boolean, so truthiness needs no call. */
const BOOLEAN_RESULTS: ReadonlySet<string> = new Set([
  '==', '===', '!=', '!==', '<', '<=', '>', '>=', '!', '!!', 'in', 'some', 'all', 'none',
]);

/** Whether `node` (an operand, before compiling) always yields a boolean. */
function yieldsBoolean(node: unknown): boolean {
  if (typeof node === 'boolean') return true;
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return false;
  const keys = Object.keys(node);
  if (keys.length !== 1) return false;
  const [operator] = keys;
  if (BOOLEAN_RESULTS.has(operator) || TARGETING_NAMES.has(operator)) return true;
  const args: unknown = (node as Record<string, unknown>)[operator];
  // and/or return one of their operands: a boolean when every operand is one.
  return (
    (operator === 'and' || operator === 'or') &&
    Array.isArray(args) &&
    args.length > 0 &&
    args.every(yieldsBoolean)
  );
}

/**
 * Code for the operand's value where only its truthiness matters: the value itself for booleans,
 * the test alone for `missing` of flat names (its list is empty, so falsy, when nothing is missing).
 */
function truthiness(operand: unknown, buildState: BuildState): unknown {
  if (yieldsBoolean(operand)) return buildState.compile`${operand}`;
  const names = flatMissingNames(operand);
  if (names) return anyMissingTest(names, buildState);
  return buildState.compile`engine.truthy(${operand})`;
}

/**
 * and/or as json-logic-engine compiles them (a chain of conditionals on `prev`), minus the
 * truthiness call for operands that are booleans already: most audience conditions.
 */
export function chain(name: 'and' | 'or') {
  return {
    ...(builtIn[name] as object),
    compile(data: unknown, buildState: BuildState): unknown {
      if (!Array.isArray(data)) return false;
      if (data.length === 0) return buildState.compile`null`;
      let code = buildState.compile``;
      for (const operand of data) {
        const test = yieldsBoolean(operand)
          ? buildState.compile`(prev = ${operand})`
          : buildState.compile`engine.truthy(prev = ${operand})`;
        code = name === 'and' ? buildState.compile`${code} !${test} ? prev : ` : buildState.compile`${code} ${test} ? prev : `;
      }
      return buildState.compile`(${code} prev)`;
    },
  };
}

/**
 * The methods audiences run on, by operator: every whitelisted core operator (json-logic-engine's
 * own where nothing needed correcting) and the targeting operators.
 */
export function audienceMethods(coreOperators: readonly string[]): Record<string, unknown> {
  const methods: Record<string, unknown> = {};
  for (const name of coreOperators) methods[name] = builtIn[name];
  const corrected: Record<string, object> = {
    '+': plus,
    '-': minus,
    cat,
    substr,
    in: inList,
    missing,
    and: chain('and'),
    or: chain('or'),
    '!': negation('!'),
    '!!': negation('!!'),
    some: strictIterator('some'),
    all: strictIterator('all'),
    none: strictIterator('none'),
  };
  for (const name of ['==', '===', '!=', '!==', '<', '<=', '>', '>='] as const) corrected[name] = comparator(name);
  for (const [name, operator] of Object.entries(TARGETING_OPERATORS)) corrected[name] = toEngineMethod(operator);
  // Without the mark, the engine would take a method for async and compile an async function.
  for (const [name, method] of Object.entries(corrected)) methods[name] = Object.defineProperty(method, SYNC, { value: true });
  return methods;
}

export { truthy } from './engine-corrections';
