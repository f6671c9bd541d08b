/**
 * Corrections of single json-logic-engine operators: literal lists and names prepared at compile
 * time (`in`, `missing`), and the places where its generated code and its interpreter disagree
 * (`cat`, `+`, unary `-`, `substr`), each comment says how.
 */
import { builtIn, callable, isLiteral, precoerceNumber, type BuildState } from './engine-support';

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
export function flatMissingNames(node: unknown): string[] | null {
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
export function anyMissingTest(names: string[], buildState: BuildState): unknown {
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
