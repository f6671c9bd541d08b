/**
 * How audience operators plug into json-logic-engine, in both of its modes: the targeting
 * operators with compile-time preparation of literal operands, and small corrections where the
 * engine's generated code and its interpreter disagree (each comment says how). The
 * conformance suites and the compiled-vs-interpreted property test pin every one of them.
 */
import { LogicEngine, defaultMethods } from 'json-logic-engine';
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
  return Object.defineProperty(helper, SYNC, { value: true });
}

type Prepare = (operand: unknown) => unknown;

/** True for operands with no operator inside: they can be prepared once, at compile time. */
function isLiteral(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  return Array.isArray(value) && value.every(isLiteral);
}

/**
 * A targeting operator as an engine method: interpreted through `method`; compiled to a call of
 * a closure that holds its literal operands already prepared.
 */
export function toEngineMethod(operator: TargetingOperator) {
  const arity = operator.prepare.length;
  const test = operator.test as (...prepared: unknown[]) => boolean;
  return {
    method(args: unknown): boolean {
      if (!Array.isArray(args) || args.length !== arity) throw INVALID_ARGUMENTS;
      return test(...args.map((arg, i) => operator.prepare[i](arg)));
    },
    deterministic: true,
    compile(data: unknown, buildState: BuildState): unknown {
      if (!Array.isArray(data) || data.length !== arity) return false;
      const [p0, p1, p2] = data.map((arg, i): Prepare => {
        if (!isLiteral(arg)) return operator.prepare[i];
        const prepared = operator.prepare[i](arg);
        return () => prepared;
      });
      const call = callable(
        arity === 2
          ? (a: unknown, b: unknown) => test(p0(a), p1(b))
          : (a: unknown, b: unknown, c: unknown) => test(p0(a), p1(b), p2(c))
      );
      // Literal operands are already inside `call`; passing null avoids rebuilding them per call.
      const [a, b, c] = data.map((arg) => (isLiteral(arg) ? { [COMPILED]: 'null' } : arg));
      return arity === 2 ? buildState.compile`${call}(${a}, ${b})` : buildState.compile`${call}(${a}, ${b}, ${c})`;
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

/** json-logic-engine's compareCheck (not exported), as its comparisons use it. */
function compareCheck(item: unknown, previous: unknown, strict: boolean): unknown {
  const text = (value: unknown) => typeof value === 'string' || value === null;
  if (strict || (text(item) && text(previous))) return item;
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

/** Code for the operand's value where only its truthiness matters: the value itself for booleans. */
function truthiness(operand: unknown, buildState: BuildState): unknown {
  return yieldsBoolean(operand) ? buildState.compile`${operand}` : buildState.compile`engine.truthy(${operand})`;
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

/** `in` against a literal list: the engine would rebuild the list on every call. */
export const inList = {
  // The engine's `in` is a bare function carrying a `compile` property.
  method: builtIn.in as (args: unknown) => boolean,
  deterministic: true,
  compile(data: unknown, buildState: BuildState): unknown {
    if (!Array.isArray(data)) return false;
    const [item, list] = data;
    if (Array.isArray(list) && isLiteral(list)) {
      const member = callable((value: unknown) => list.includes(value));
      return buildState.compile`${member}(${item})`;
    }
    return (builtIn.in as { compile: (data: unknown, buildState: BuildState) => unknown }).compile(data, buildState);
  },
};

const NOTHING_MISSING: readonly string[] = Object.freeze([]);
const nothingMissing = callable(() => NOTHING_MISSING);

/**
 * `missing` of literal, flat names tests each name inline and allocates only when one is
 * missing: the usual `{"!": {"missing": [...]}}` costs a few property reads. Dotted paths keep
 * the engine's code.
 */
export const missing = {
  ...(builtIn.missing as object),
  compile(data: unknown, buildState: BuildState): unknown {
    const names = Array.isArray(data) ? data : [data];
    const flat = names.every((name) => typeof name === 'string' && !name.includes('.') && !name.includes('\\'));
    if (!flat || names.length === 0) {
      return (builtIn.missing as { compile: (data: unknown, buildState: BuildState) => unknown }).compile(data, buildState);
    }
    const missingFrom = callable((context: unknown) =>
      (names as string[]).filter((name) => ((context || 0) as Record<string, unknown>)[name] === undefined)
    );
    // Names enter the code through buildState.compile, which writes them as JSON string literals.
    let anyMissing = buildState.compile`false`;
    for (const name of names) anyMissing = buildState.compile`${anyMissing} || (context || 0)[${name}] === undefined`;
    return buildState.compile`((${anyMissing}) ? ${missingFrom}(context) : ${nothingMissing}())`;
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

