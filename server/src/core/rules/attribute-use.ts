/**
 * What a rule may do with each attribute: the operators that make sense for its type, and the
 * constants it may be compared with (allowed `values`, `min`/`max`, whole numbers). Saving an
 * audience checks both after validateRule, so "hour from 25 to 8" or a version operator on
 * `country` is a 400 naming the node. Delivery never runs this: a rule saved before a catalogue
 * change still compiles and is served as written.
 */
import type { AttributeOperator, AttributeType, CatalogueAttribute } from '../../../../shared/contracts/settings';
import { fullCatalogue, type AttributeDefinition, type Catalogue } from '../catalogue';
import { ROOT_PATH, operatorPath, type RuleProblem } from './rule-path';

/** Truthiness and equality apply to every type. */
const EVERY_TYPE: readonly AttributeOperator[] = ['==', '!=', '===', '!==', '!', '!!', 'and', 'or', 'if', '?:'];

/** Per type, in the order a menu offers them: the operators that take the attribute as a direct operand. */
export const OPERATORS_BY_TYPE: Readonly<Record<AttributeType, readonly AttributeOperator[]>> = Object.freeze({
  string: ['==', '!=', 'in', 'contains', 'starts_with', 'ends_with', ...EVERY_TYPE.slice(2), 'cat', 'substr'],
  version: ['semver_gte', 'semver_gt', 'semver_lte', 'semver_lt', 'semver_eq', '==', '!=', 'in', ...EVERY_TYPE.slice(2)],
  number: ['==', '!=', '<', '<=', '>', '>=', 'in', ...EVERY_TYPE.slice(2), '+', '-', '*', '/', '%', 'min', 'max'],
  'string[]': ['contains', 'in', 'some', 'all', 'none', 'merge', ...EVERY_TYPE],
  date: ['before', 'after', 'between', ...EVERY_TYPE],
  boolean: [...EVERY_TYPE],
});

const TYPE_NAMES: Readonly<Record<AttributeType, string>> = {
  string: 'text',
  version: 'a version',
  number: 'a number',
  'string[]': 'a list of texts',
  date: 'a date and time',
  boolean: 'yes or no',
};

const EQUALITY: ReadonlySet<string> = new Set(['==', '!=', '===', '!==']);
const ORDER: ReadonlySet<string> = new Set(['<', '<=', '>', '>=']);

/** The catalogue as the admin lists it: built-ins last, each with its operators and constraints. */
export function describeCatalogue(catalogue: Catalogue): CatalogueAttribute[] {
  return Object.entries(fullCatalogue(catalogue)).map(([name, definition]) => describeAttribute(name, definition));
}

export function describeAttribute(name: string, definition: AttributeDefinition): CatalogueAttribute {
  return {
    name,
    type: definition.type,
    source: definition.source,
    purpose: definition.purpose ?? null,
    title: definition.title ?? name,
    description: definition.description ?? null,
    personal: definition.source !== 'builtin',
    values: definition.values ? [...definition.values] : null,
    labels: definition.labels ? { ...definition.labels } : null,
    min: definition.min ?? null,
    max: definition.max ?? null,
    integer: definition.integer ?? false,
    operators: [...OPERATORS_BY_TYPE[definition.type]],
  };
}

/**
 * The first operator applied to an attribute its type does not allow, or constant outside the
 * attribute's values or bounds; null when there is none. Expects a rule validateRule accepted.
 */
export function attributeUseProblem(rule: unknown, catalogue: Catalogue): RuleProblem | null {
  return visit(rule, ROOT_PATH, fullCatalogue(catalogue));
}

function visit(node: unknown, path: string, catalogue: Catalogue): RuleProblem | null {
  if (node === null || typeof node !== 'object') return null;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const found = visit(node[i], `${path}[${i}]`, catalogue);
      if (found) return found;
    }
    return null;
  }
  const [name] = Object.keys(node);
  if (name === undefined || name === 'var' || name === 'missing' || name === 'missing_some') return null;
  const raw = (node as Record<string, unknown>)[name];
  const bare = !Array.isArray(raw);
  const args = bare ? [raw] : (raw as unknown[]);
  const prefix = operatorPath(path, name);
  for (let i = 0; i < args.length; i++) {
    const attribute = attributeOf(args[i], catalogue);
    if (!attribute) continue;
    const [attributeName, definition] = attribute;
    const allowed = OPERATORS_BY_TYPE[definition.type];
    if (!allowed.includes(name as AttributeOperator)) {
      return {
        path,
        message: `${JSON.stringify(name)} does not apply to ${attributeName}, which is ${TYPE_NAMES[definition.type]}; use one of ${allowed.map((op) => JSON.stringify(op)).join(', ')}`,
      };
    }
    const found = constantsProblem(name, args, i, attributeName, definition, (j) => (bare ? prefix : `${prefix}[${j}]`));
    if (found) return found;
  }
  for (let i = 0; i < args.length; i++) {
    const found = visit(args[i], bare ? prefix : `${prefix}[${i}]`, catalogue);
    if (found) return found;
  }
  return null;
}

/** `{"var": name}` or `{"var": [name, default]}` naming a catalogue attribute. */
function attributeOf(node: unknown, catalogue: Catalogue): [string, AttributeDefinition] | null {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return null;
  if (!Object.prototype.hasOwnProperty.call(node, 'var')) return null;
  const raw = (node as { var: unknown }).var;
  const name = Array.isArray(raw) ? raw[0] : raw;
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(catalogue, name)) return null;
  return [name, catalogue[name]];
}

/** The constants an operator compares the attribute (argument `at`) with, each against its values or bounds. */
function constantsProblem(
  operator: string,
  args: readonly unknown[],
  at: number,
  name: string,
  definition: AttributeDefinition,
  pathOf: (position: number) => string
): RuleProblem | null {
  const check = (position: number, ignoringCase = false): RuleProblem | null => {
    const message = constantProblem(args[position], name, definition, ignoringCase);
    return message ? { path: pathOf(position), message } : null;
  };
  if (EQUALITY.has(operator) && args.length === 2) return check(1 - at);
  if (ORDER.has(operator)) {
    for (let position = 0; position < args.length; position++) {
      const found = position === at ? null : check(position);
      if (found) return found;
    }
    return null;
  }
  if (operator === 'in' && at === 0 && Array.isArray(args[1])) {
    const list = args[1];
    for (let item = 0; item < list.length; item++) {
      const message = constantProblem(list[item], name, definition, false);
      if (message) return { path: `${pathOf(1)}[${item}]`, message };
    }
    return null;
  }
  // Membership in a list attribute: `{"in": ["sport", {"var": "interests"}]}`, `{"contains": [{"var": "interests"}, "Sport"]}`.
  if (definition.type === 'string[]' && operator === 'in' && at === 1) return check(0);
  if (definition.type === 'string[]' && operator === 'contains' && at === 0) return check(1, true);
  return null;
}

/** Why a literal cannot be a value of the attribute, or null (also for anything computed, and for null). */
function constantProblem(value: unknown, name: string, definition: AttributeDefinition, ignoringCase: boolean): string | null {
  if (value === null || typeof value === 'object') return null;
  const { values, min, max, integer } = definition;
  if (values && typeof value === 'string') {
    const wanted = ignoringCase ? value.toLowerCase() : value;
    const known = values.some((allowed) => (ignoringCase ? allowed.toLowerCase() : allowed) === wanted);
    if (known) return null;
    const shown = values.slice(0, 10).map((allowed) => JSON.stringify(allowed)).join(', ');
    return `${JSON.stringify(value)} is not a value of ${name}; allowed: ${shown}${values.length > 10 ? ', …' : ''}`;
  }
  if (typeof value !== 'number') return null;
  const outside = (min !== undefined && value < min) || (max !== undefined && value > max);
  if (outside || (integer && !Number.isInteger(value))) {
    const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` at least ${min}` : max !== undefined ? ` at most ${max}` : '';
    return `${value} is not a possible ${name}: it is ${integer ? 'a whole number' : 'a number'}${range}`;
  }
  return null;
}
