/**
 * Why an audience matched or not, for the explain endpoint and the admin preview: the result,
 * the node that decided it, and the attribute names the evaluation actually read. Never values.
 * Interpreted, node by node; it is not on the delivery path.
 */
import { compileAudience } from './compile';
import { createRuleEngine } from './engine';
import { attributesRead } from './reads';
import { ROOT_PATH, operatorPath } from './rule-path';

export interface RuleExplanation {
  readonly result: boolean;
  /**
   * The node that settled the answer: the operand that short-circuited an `and`/`or` (or the
   * last one evaluated), through `!`/`!!`, e.g. `and[1].or[0]`; `(root)` when the rule is a
   * single condition. For a refused rule, the part refused; null for no audience.
   */
  readonly decidedBy: string | null;
  /** Attribute names the evaluation read, sorted; short-circuited branches read nothing. */
  readonly read: string[];
}

interface Outcome {
  readonly result: boolean;
  readonly decidedBy: string;
}

/** A node threw: the rule fails closed, and this node is why. */
class NodeFailure {
  constructor(readonly path: string) {}
}

// Its own engine: explaining must not disturb the plan cache compiled audiences use.
const engine = createRuleEngine();

export function explainRule(rule: unknown, context: object): RuleExplanation {
  // No audience, or a rule refused when compiled: the same constant answer delivery gives.
  const audience = compileAudience(rule);
  if (audience.mode === 'constant') {
    return { result: audience.evaluate(context), decidedBy: audience.problem?.path ?? null, read: [] };
  }

  const readable = new Set(attributesRead(rule));
  const read = new Set<string>();
  const noted = (key: string | symbol) => {
    if (typeof key === 'string' && readable.has(key)) read.add(key);
  };
  const watched = new Proxy(context, {
    get: (target, key, receiver) => (noted(key), Reflect.get(target, key, receiver)),
    has: (target, key) => (noted(key), Reflect.has(target, key)),
  });

  let outcome: Outcome;
  try {
    outcome = decide(rule, ROOT_PATH, watched);
  } catch (failure) {
    outcome = { result: false, decidedBy: failure instanceof NodeFailure ? failure.path : ROOT_PATH };
  }
  return { result: outcome.result, decidedBy: outcome.decidedBy, read: [...read].sort() };
}

function decide(node: unknown, path: string, context: object): Outcome {
  if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
    const [operator] = Object.keys(node);
    const args: unknown = (node as Record<string, unknown>)[operator];
    const prefix = operatorPath(path, operator);
    if ((operator === 'and' || operator === 'or') && Array.isArray(args)) {
      return decideChain(operator, args, prefix, context);
    }
    if (operator === '!' || operator === '!!') {
      const inner = decide(Array.isArray(args) ? args[0] : args, Array.isArray(args) ? `${prefix}[0]` : prefix, context);
      return operator === '!' ? { result: !inner.result, decidedBy: inner.decidedBy } : inner;
    }
  }
  try {
    return { result: Boolean(engine.truthy(engine.run(node, context))), decidedBy: path };
  } catch {
    throw new NodeFailure(path);
  }
}

/** `and` stops at the first false operand, `or` at the first true one; else the last decides. */
function decideChain(operator: 'and' | 'or', args: unknown[], prefix: string, context: object): Outcome {
  let outcome: Outcome = { result: false, decidedBy: prefix };
  for (let i = 0; i < args.length; i++) {
    outcome = decide(args[i], `${prefix}[${i}]`, context);
    if (outcome.result === (operator === 'or')) return outcome;
  }
  return outcome;
}
