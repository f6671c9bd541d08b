/** Where a node sits in a rule: operator names and argument indexes, e.g. `and[1].in[0]`. */
export const ROOT_PATH = '(root)';

/** Where an operator's arguments sit: `and` under the root, `and[1].in` below that. */
export function operatorPath(path: string, operator: string): string {
  return path === ROOT_PATH ? operator : `${path}.${operator}`;
}

/** Why a rule is refused, and the node that made it so. */
export interface RuleProblem {
  /** The offending node: operator names and argument indexes, e.g. `and[1].in[0]`. */
  readonly path: string;
  readonly message: string;
}
