/**
 * A part of a rule that reads nothing from the visitor and still fails, such as `{"/": [1, 0]}`,
 * is an authoring mistake, refused by name. Letting it through would also let the answer depend
 * on the host: json-logic-engine evaluates such parts ahead of time, always when it compiles and
 * only in some positions when it interprets, so a branch that never runs would fail the whole
 * rule in one mode and not in the other.
 */
import { createRuleEngine } from './engine';
import { ROOT_PATH, operatorPath, type RuleProblem } from './rule-path';

const CONTEXT_READERS: ReadonlySet<string> = new Set(['var', 'missing', 'missing_some']);
const NO_CONTEXT = Object.freeze(Object.create(null) as object);

// Its own engine: these one-off evaluations must not disturb the plan cache audiences use.
const engine = createRuleEngine();

interface PartReport {
  readonly readsContext: boolean;
  readonly problem: RuleProblem | null;
}

/** The deepest part that reads no attribute and always fails; the rule's structure must be valid. */
export function failingConstantPart(rule: unknown): RuleProblem | null {
  return inspect(rule, ROOT_PATH).problem;
}

function inspect(node: unknown, path: string): PartReport {
  if (node === null || typeof node !== 'object') return { readsContext: false, problem: null };
  if (Array.isArray(node)) return inspectAll(node, (i) => `${path}[${i}]`);

  const [operator] = Object.keys(node);
  const args: unknown = (node as Record<string, unknown>)[operator];
  const prefix = operatorPath(path, operator);
  const parts = Array.isArray(args) ? inspectAll(args, (i) => `${prefix}[${i}]`) : inspect(args, prefix);
  if (parts.problem) return parts;
  const readsContext = parts.readsContext || CONTEXT_READERS.has(operator);
  if (readsContext) return { readsContext, problem: null };
  try {
    engine.run(node, NO_CONTEXT);
    return { readsContext, problem: null };
  } catch (error) {
    return { readsContext, problem: { path, message: `always fails (${describeFailure(error)})` } };
  }
}

function inspectAll(items: unknown[], pathOf: (index: number) => string): PartReport {
  let readsContext = false;
  for (let i = 0; i < items.length; i++) {
    const report = inspect(items[i], pathOf(i));
    if (report.problem) return report;
    readsContext ||= report.readsContext;
  }
  return { readsContext, problem: null };
}

/** json-logic-engine throws NaN, `{ type }` objects or Errors. */
export function describeFailure(error: unknown): string {
  if (typeof error === 'number' && Number.isNaN(error)) return 'NaN';
  const type = (error as { type?: unknown } | null)?.type;
  if (typeof type === 'string') return type;
  return error instanceof Error ? error.message : String(error);
}
