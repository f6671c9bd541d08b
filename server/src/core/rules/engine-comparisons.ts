/**
 * Comparisons (`==`, `===`, `!=`, `!==`, `<`, `<=`, `>`, `>=`) that answer alike compiled and
 * interpreted: json-logic-engine's operand checks, kept in the order its interpreter reads them.
 */
import type { LogicEngine } from 'json-logic-engine';
import { builtIn, callable, COMPILED, INVALID_ARGUMENTS, precoerceNumber, type BuildState } from './engine-support';

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
