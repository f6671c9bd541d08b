/**
 * JSON Logic ⇄ builder tree. The builder edits the subset it can show (conditions of one
 * attribute against literals, and/or groups, negation); anything else is refused with a reason
 * and the dialog offers the JSON editor instead. On that subset, written the canonical way
 * (attribute first where the operator allows, `{"var": "name"}`, groups of two or more, `!`
 * without an array), `toJsonLogic(fromJsonLogic(rule))` returns the rule unchanged.
 */
import {
  OPERATORS,
  isScalarOf,
  newId,
  type CatalogueAttribute,
  type Condition,
  type ConditionValue,
  type Group,
  type RuleNode,
} from './model';

export type ParseResult = { ok: true; tree: Group } | { ok: false; reason: string };

class Unsupported extends Error {}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The attribute name of `{"var": "name"}`, or null for anything else. */
function variableName(node: unknown): string | null {
  if (!isPlainObject(node)) return null;
  const keys = Object.keys(node);
  if (keys.length !== 1 || keys[0] !== 'var') return null;
  return typeof node.var === 'string' && node.var !== '' ? node.var : null;
}

function conditionFrom(
  json: string,
  args: unknown,
  catalogue: ReadonlyMap<string, CatalogueAttribute>
): Condition {
  if (!Array.isArray(args)) throw new Unsupported(`"${json}" without an argument list`);
  for (const operator of OPERATORS) {
    if (operator.json !== json) continue;
    let name: string | null = null;
    let value: ConditionValue = null;
    if (operator.varAt === 'first') {
      name = variableName(args[0]);
      const rest = args.slice(1);
      if (operator.value === 'scalar' && rest.length === 1) value = rest[0] as ConditionValue;
      else if (operator.value === 'list' && rest.length === 1 && Array.isArray(rest[0]) && rest[0].length > 0) value = [...rest[0]];
      else if (operator.value === 'pair' && rest.length === 2) value = [...rest] as ConditionValue;
      else continue;
    } else if (operator.varAt === 'last' && args.length === 2) {
      name = variableName(args[1]);
      value = args[0] as ConditionValue;
    } else if (operator.varAt === 'middle' && args.length === 3) {
      name = variableName(args[1]);
      value = [args[0], args[2]] as ConditionValue;
    } else {
      continue;
    }
    if (name === null) continue;
    const attribute = catalogue.get(name);
    if (!attribute) throw new Unsupported(`unknown attribute "${name}"`);
    if (!operator.types.includes(attribute.type)) continue;
    const values = operator.value === 'scalar' ? [value] : (value as unknown[]);
    if (!values.every((item) => isScalarOf(item, attribute.type))) continue;
    return { kind: 'condition', id: newId(), attribute: name, operator: operator.id, value };
  }
  throw new Unsupported(`this "${json}" condition`);
}

function nodeFrom(rule: unknown, catalogue: ReadonlyMap<string, CatalogueAttribute>): RuleNode {
  if (!isPlainObject(rule)) throw new Unsupported('a literal where a condition belongs');
  const keys = Object.keys(rule);
  if (keys.length !== 1) throw new Unsupported('an object with several operators');
  const [json] = keys;
  const args = rule[json];
  if (json === 'and' || json === 'or') {
    if (!Array.isArray(args) || args.length === 0) throw new Unsupported(`an empty "${json}"`);
    return { kind: 'group', id: newId(), combinator: json, negated: false, children: args.map((arg) => nodeFrom(arg, catalogue)) };
  }
  if (json === '!') {
    const operand = Array.isArray(args) ? (args.length === 1 ? args[0] : undefined) : args;
    const inner = nodeFrom(operand, catalogue);
    if (inner.kind === 'group' && !inner.negated && inner.children.length > 1) return { ...inner, negated: true };
    return { kind: 'group', id: newId(), combinator: 'and', negated: true, children: [inner] };
  }
  return conditionFrom(json, args, catalogue);
}

/** The builder tree of a stored audience; null (no audience) is an empty group. */
export function fromJsonLogic(rule: unknown, attributes: readonly CatalogueAttribute[]): ParseResult {
  const catalogue = new Map(attributes.map((attribute) => [attribute.name, attribute]));
  if (rule === null || rule === undefined) {
    return { ok: true, tree: { kind: 'group', id: newId(), combinator: 'and', negated: false, children: [] } };
  }
  try {
    const node = nodeFrom(rule, catalogue);
    const tree: Group =
      node.kind === 'group' ? node : { kind: 'group', id: newId(), combinator: 'and', negated: false, children: [node] };
    return { ok: true, tree };
  } catch (error) {
    if (error instanceof Unsupported) return { ok: false, reason: error.message };
    throw error;
  }
}

function conditionJson(condition: Condition): unknown {
  const operator = OPERATORS.find((candidate) => candidate.id === condition.operator);
  if (!operator) throw new Error(`unknown builder operator ${condition.operator}`);
  const variable = { var: condition.attribute };
  const value = condition.value;
  if (operator.varAt === 'last') return { [operator.json]: [value, variable] };
  if (operator.varAt === 'middle') {
    const [from, to] = value as unknown[];
    return { [operator.json]: [from, variable, to] };
  }
  if (operator.value === 'pair') return { [operator.json]: [variable, ...(value as unknown[])] };
  if (operator.value === 'list') return { [operator.json]: [variable, [...(value as unknown[])]] };
  return { [operator.json]: [variable, value] };
}

function nodeJson(node: RuleNode): unknown {
  if (node.kind === 'condition') return conditionJson(node);
  const parts = node.children.map(nodeJson).filter((part) => part !== null);
  if (parts.length === 0) return null;
  const body = parts.length === 1 ? parts[0] : { [node.combinator]: parts };
  return node.negated ? { '!': body } : body;
}

/** The JSON Logic the tree stands for; null when it has no condition (everyone). */
export function toJsonLogic(tree: RuleNode): unknown {
  return nodeJson(tree);
}

/** Attribute names a JSON Logic rule reads through `var` and `missing` (outside some/all/none). */
export function attributesReadBy(rule: unknown): string[] {
  const names = new Set<string>();
  const walk = (node: unknown, depth: number): void => {
    if (depth > 64 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((item) => walk(item, depth + 1));
    for (const [operator, args] of Object.entries(node)) {
      const list: unknown[] = Array.isArray(args) ? args : [args];
      if (operator === 'var') {
        if (typeof list[0] === 'string' && list[0] !== '') names.add(list[0]);
      } else if (operator === 'missing') {
        list.forEach((name) => typeof name === 'string' && names.add(name));
      } else if (operator === 'missing_some' && Array.isArray(list[1])) {
        list[1].forEach((name) => typeof name === 'string' && names.add(name));
      } else if (operator === 'some' || operator === 'all' || operator === 'none') {
        // The second argument reads the current item, not an attribute.
        walk(list[0], depth + 1);
      } else {
        walk(list, depth + 1);
      }
    }
  };
  walk(rule, 0);
  return [...names].sort();
}

/** Consent purposes the attributes of a rule need; built-ins need none. */
export function purposesReadBy(rule: unknown, attributes: readonly CatalogueAttribute[]): string[] {
  const purposeOf = new Map(attributes.map((attribute) => [attribute.name, attribute.purpose]));
  const purposes = new Set<string>();
  for (const name of attributesReadBy(rule)) {
    const purpose = purposeOf.get(name);
    if (purpose) purposes.add(purpose);
  }
  return [...purposes].sort();
}
