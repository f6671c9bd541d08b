/**
 * How audience operators plug into json-logic-engine, in both of its modes: the targeting
 * operators with compile-time preparation of literal operands, and small corrections where the
 * engine's generated code and its interpreter disagree (each comment says how). The
 * conformance suites and the compiled-vs-interpreted property test pin every one of them.
 */
import { LogicEngine, defaultMethods } from 'json-logic-engine';
import { toInstant, toRequestInstant } from './iso-date';
import { TARGETING_OPERATORS, type TargetingOperator } from './targeting-operators';

const TARGETING_NAMES: ReadonlySet<string> = new Set(Object.keys(TARGETING_OPERATORS));

/** json-logic-engine's own operator implementations (its typings say little about them). */
const builtIn = defaultMethods as unknown as Readonly<Record<string, unknown>>;

// json-logic-engine marks synchronous functions and inlined code with these registered symbols.
const SYNC = Symbol.for('json_logic_sync');
const COMPILED = Symbol.for('json_logic_compiled');
const INVALID_ARGUMENTS = Object.freeze({ type: 'Invalid Arguments' });

/** The compiler's state as a `compile` hook sees it: a template tag that inlines operands. */
interface BuildState {
  compile(strings: TemplateStringsArray, ...items: unknown[]): unknown;
}

/** Marks a helper that generated code calls as synchronous; otherwise the engine awaits it. */
function callable<T extends (...args: never[]) => unknown>(helper: T): T {
  return Object.defineProperty(helper, SYNC, { value: true, configurable: true });
}

/** True for operands with no operator inside: they can be prepared once, at compile time. */
function isLiteral(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  return Array.isArray(value) && value.every(isLiteral);
}

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

function isTextOrNull(value: unknown): boolean {
  return typeof value === 'string' || value === null;
}

/** json-logic-engine's compareCheck (not exported), as its comparisons use it. */
function compareCheck(item: unknown, previous: unknown, strict: boolean): unknown {
  if (strict || (isTextOrNull(item) && isTextOrNull(previous))) return item;
  if (Number.isNaN(+(precoerceNumber(item) as number)) && previous !== null) throw NaN;
  if (Number.isNaN(+(precoerceNumber(previous) as number))) throw NaN;
  // null == 0 and 0 <= null answer as if null were 0, like the interpreter.
  if (previous === null && !item) return null;
  if (item === null && !previous) return 0;
  return item;
}

function precoerceNumber(value: unknown): unknown {
  if (Number.isNaN(value)) throw NaN;
  if (value && typeof value === 'object') throw NaN;
  return value;
}

/** compareCheck with the previous operand first, so it is read before the next one runs. */
const checkedOperand = callable((previous: unknown, item: unknown, strict: boolean): unknown =>
  compareCheck(item, previous, strict)
);

type Comparison = '==' | '===' | '!=' | '!==' | '<' | '<=' | '>' | '>=';

// JavaScript's own operators on what compareCheck lets through, as the generated code uses them.
/* eslint-disable eqeqeq */
const RELATIONS: Readonly<Record<Comparison, (a: never, b: never) => boolean>> = {
  '==': (a, b) => a == b,
  '===': (a, b) => a === b,
  '!=': (a, b) => a != b,
  '!==': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};
/* eslint-enable eqeqeq */

/**
 * Two corrections, one per mode. json-logic-engine compiles `a < b` as
 * `(prev = a) < compareCheck(b, prev)`; when b's own code also uses `prev` (any var, and, or,
 * if), prev is overwritten before it is read, and a type mismatch the interpreter reports as an
 * error compares silently instead: reading prev first fixes that. Its interpreter's chained form
 * (`{"<": [a, b, c]}` once plan caching is off, or with more operands) checks string operands as
 * numbers and fails on them: the method below follows the generated code instead.
 */
export function comparator(name: Comparison) {
  const operator = { [COMPILED]: name };
  const strict = name.length === 3;
  const relation = RELATIONS[name] as (a: unknown, b: unknown) => boolean;
  return {
    ...(builtIn[name] as object),
    method(args: unknown, context: unknown, above: unknown[], engine: LogicEngine): boolean {
      if (!Array.isArray(args) || args.length < 2) throw INVALID_ARGUMENTS;
      let previous = engine.run(args[0], context, { above });
      for (let i = 1; i < args.length; i++) {
        const current = checkedOperand(previous, engine.run(args[i], context, { above }), strict);
        if (!relation(previous, current)) return false;
        previous = current;
      }
      return true;
    },
    compile(data: unknown, buildState: BuildState): unknown {
      if (!Array.isArray(data) || data.length < 2) return false;
      // Strict comparisons check nothing: the operand goes straight in.
      const operand = (item: unknown) => (strict ? item : buildState.compile`${checkedOperand}(prev, ${item}, false)`);
      let code = buildState.compile`((prev = ${data[0]}) ${operator} (prev = ${operand(data[1])}))`;
      for (let i = 2; i < data.length; i++) {
        code = buildState.compile`(${code} && prev ${operator} (prev = ${operand(data[i])}))`;
      }
      return code;
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

/** Lists up to this long are compared inline; longer ones go through a Set. */
const INLINE_LIST = 16;

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** `in` against a literal list: the engine would rebuild the list on every call. */
export const inList = {
  // The engine's `in` is a bare function carrying a `compile` property.
  method: builtIn.in as (args: unknown) => boolean,
  deterministic: true,
  compile(data: unknown, buildState: BuildState): unknown {
    if (!Array.isArray(data)) return false;
    const [item, list] = data;
    // includes() compares as SameValueZero; JSON lists hold no NaN, so === is the same here.
    if (Array.isArray(list) && list.length > 0 && list.length <= INLINE_LIST && list.every(isPrimitive)) {
      let test = buildState.compile`(prev = ${item}) === ${list[0]}`;
      for (let i = 1; i < list.length; i++) test = buildState.compile`${test} || prev === ${list[i]}`;
      return buildState.compile`(${test})`;
    }
    if (Array.isArray(list) && isLiteral(list)) {
      const members = new Set(list);
      const member = callable((value: unknown) => members.has(value));
      return buildState.compile`${member}(${item})`;
    }
    return (builtIn.in as { compile: (data: unknown, buildState: BuildState) => unknown }).compile(data, buildState);
  },
};

const NOTHING_MISSING: readonly string[] = Object.freeze([]);
const nothingMissing = callable(() => NOTHING_MISSING);

/** The names of `{"missing": names}` when they are literal and flat (no dotted path), else null. */
function flatMissingNames(node: unknown): string[] | null {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return null;
  const keys = Object.keys(node);
  if (keys.length !== 1 || keys[0] !== 'missing') return null;
  const data: unknown = (node as { missing: unknown }).missing;
  return isFlatNameList(Array.isArray(data) ? data : [data]);
}

function isFlatNameList(names: unknown[]): string[] | null {
  const flat = names.every((name) => typeof name === 'string' && !name.includes('.') && !name.includes('\\'));
  return flat && names.length > 0 ? (names as string[]) : null;
}

/** Code that is true when any of the names is absent. Names are written as JSON string literals. */
function anyMissingTest(names: string[], buildState: BuildState): unknown {
  let test = buildState.compile`false`;
  for (const name of names) test = buildState.compile`${test} || (context || 0)[${name}] === undefined`;
  return buildState.compile`(${test})`;
}

/**
 * `missing` of literal, flat names tests each name inline and allocates only when one is
 * missing; under `!` (the usual "has these attributes") only the test remains. Dotted paths keep
 * the engine's code.
 */
export const missing = {
  ...(builtIn.missing as object),
  compile(data: unknown, buildState: BuildState): unknown {
    const names = isFlatNameList(Array.isArray(data) ? data : [data]);
    if (!names) {
      return (builtIn.missing as { compile: (data: unknown, buildState: BuildState) => unknown }).compile(data, buildState);
    }
    const missingFrom = callable((context: unknown) =>
      names.filter((name) => ((context || 0) as Record<string, unknown>)[name] === undefined)
    );
    return buildState.compile`(${anyMissingTest(names, buildState)} ? ${missingFrom}(context) : ${nothingMissing}())`;
  },
};

/** The classic JSON Logic truthiness (jsonlogic.com, json-logic-js): only [] differs from JS. */
export function truthy(value: unknown): boolean {
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

const catText = callable((value: unknown): unknown => (value === null || value === undefined ? '' : value));

/**
 * `cat` skips null, as its interpreted form and the suites do; json-logic-engine's generated
 * code writes "null" instead, so a missing attribute read differently in the two modes.
 */
export const cat = {
  ...(builtIn.cat as object),
  optimizeUnary: false, // see plus
  compile(data: unknown, buildState: BuildState): unknown {
    if (!Array.isArray(data)) return false;
    let code = buildState.compile`''`;
    for (const item of data) code = buildState.compile`${code} + ${catText}(${item})`;
    return buildState.compile`(${code})`;
  },
};

/**
 * `+` without json-logic-engine's unary shortcut, by which its interpreter summed an array read
 * from the context (`{"+": [{"var": "list"}]}`) while its generated code, like the suites, fails
 * on it. Without the shortcut the method always gets its argument list.
 */
export const plus = {
  method: builtIn['+'] as (args: unknown) => unknown,
  compile: (builtIn['+'] as { compile: unknown }).compile,
  deterministic: true,
};

/**
 * Unary minus fails on what is not a number, as every other arithmetic operator and the
 * generated code do; json-logic-engine's interpreter answered NaN, -0 for [] or, through its
 * unary shortcut (see plus), the difference of an array's items.
 */
export const minus = {
  method(args: unknown): unknown {
    if (Array.isArray(args) && args.length === 1) {
      const negated = -(precoerceNumber(args[0]) as number);
      if (Number.isNaN(negated)) throw NaN;
      return negated;
    }
    return (builtIn['-'] as (args: unknown) => unknown)(args);
  },
  compile: (builtIn['-'] as { compile: unknown }).compile,
  deterministic: true,
};

/** json-logic-js semantics: the source is read as a string, so `substr` of 42 is "42"'s. */
export const substr = {
  method(args: unknown): unknown {
    const [source, start, length] = Array.isArray(args) ? args : [args];
    return (builtIn.substr as (args: unknown[]) => unknown)([String(source), start, length]);
  },
  deterministic: true,
};

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

