/**
 * Audiences compile once, when variants or segments change, into a function the delivery path
 * calls per entry. Evaluation never throws: any error means the audience does not match, so a
 * broken rule serves the generic content (fail closed).
 */
import { describeFailure } from './constant-parts';
import { detectEvaluationMode, ruleEngine, type EvaluationMode } from './engine';
import { attributesRead } from './reads';
import { ROOT_PATH } from './rule-path';
import { checkRuleShape, type RuleProblem } from './validate';

export interface CompiledRule {
  /** JSON Logic truthiness of the rule's result; false on any error. */
  evaluate(context: object): boolean;
  /** Attribute names the rule reads (see `attributesRead`). */
  readonly reads: readonly string[];
  /** A frozen copy of the rule as compiled. */
  readonly rule: unknown;
  /** `constant` for no audience (everyone) and for refused rules (no one). */
  readonly mode: EvaluationMode | 'constant';
  /** Why the rule was refused at compile time; it then matches no one. */
  readonly problem: RuleProblem | null;
}

export interface CompileOptions {
  /** Defaults to the mode this host allows, detected once; without code generation, interpreted. */
  readonly mode?: EvaluationMode;
}

const hostMode = detectEvaluationMode();
const SYNC = Symbol.for('json_logic_sync');

type Evaluator = (context: object) => unknown;

/** `null` (or a missing rule) is no audience: everyone matches. */
export function compileAudience(rule: unknown, options: CompileOptions = {}): CompiledRule {
  if (rule === null || rule === undefined) return constantRule(null, true, null);
  const problem = checkRuleShape(rule);
  if (problem) return constantRule(rule, false, problem);

  // Our own frozen copy: a caller mutating its rule later cannot change what runs.
  const frozen = deepFreeze(JSON.parse(JSON.stringify(rule)) as unknown);
  const reads = Object.freeze(attributesRead(frozen));
  const built = build(frozen);
  if (built.kind === 'refused') return constantRule(frozen, false, built.problem);
  if (built.kind === 'function' && (options.mode ?? hostMode) === 'compiled') {
    return { evaluate: guardCompiled(built.run), reads, rule: frozen, mode: 'compiled', problem: null };
  }
  planInterpreter(frozen);
  return {
    evaluate: guard((context) => ruleEngine.run(frozen, context)),
    reads,
    rule: frozen,
    mode: 'interpreted',
    problem: null,
  };
}

type Build =
  | { readonly kind: 'function'; readonly run: Evaluator }
  | { readonly kind: 'no-code-generation' }
  | { readonly kind: 'refused'; readonly problem: RuleProblem };

/**
 * Builds even where the interpreter will run the rule: the build is also the last check, for
 * parts that always fail inside some/all/none over a literal array (checkRuleShape finds the rest).
 */
function build(rule: unknown): Build {
  try {
    const run = ruleEngine.build(rule) as Evaluator & { [SYNC]?: boolean };
    // An async function would return a Promise, which is truthy: never let one through.
    return run[SYNC] === true ? { kind: 'function', run } : { kind: 'no-code-generation' };
  } catch (error) {
    if (error instanceof EvalError) return { kind: 'no-code-generation' };
    return { kind: 'refused', problem: { path: ROOT_PATH, message: `always fails (${describeFailure(error)})` } };
  } finally {
    // Building runs constant parts through the interpreter; see planInterpreter.
    ruleEngine.missesSinceSeen = 0;
  }
}

/**
 * The interpreter caches an execution plan per rule object on first run, and switches planning
 * off for good after 500 first runs in a row. Planning at compile time, then clearing that
 * count, keeps thousands of audiences compiled at startup from looking like uncacheable input.
 */
function planInterpreter(rule: unknown): void {
  try {
    ruleEngine.run(rule, Object.create(null));
  } catch {
    // The rule fails at run time too, and evaluates to false there.
  }
  ruleEngine.missesSinceSeen = 0;
}

/**
 * `guard`, generated once per rule: a shared guard's call to the rule would see every rule's
 * function and stay a slow generic call; each rule's own guard calls one function, which V8 inlines.
 */
function guardCompiled(run: Evaluator): (context: object) => boolean {
  const makeGuard = new Function(
    'run',
    'truthy',
    `return function evaluate(context) {
      try {
        const result = run(context);
        return typeof result === 'boolean' ? result : Boolean(truthy(result));
      } catch {
        return false;
      }
    };`
  ) as (run: Evaluator, truthy: (value: unknown) => unknown) => (context: object) => boolean;
  return makeGuard(run, ruleEngine.truthy);
}

function guard(run: Evaluator): (context: object) => boolean {
  return (context) => {
    try {
      const result = run(context);
      if (typeof result === 'boolean') return result;
      return Boolean(ruleEngine.truthy(result));
    } catch {
      return false;
    }
  };
}

function constantRule(rule: unknown, matches: boolean, problem: RuleProblem | null): CompiledRule {
  const evaluate = matches ? () => true : () => false;
  return { evaluate, reads: Object.freeze([]), rule, mode: 'constant', problem };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
