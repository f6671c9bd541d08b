/**
 * The audience builder's model: groups of conditions over catalogue attributes, and the
 * operators each attribute type allows. Pure: no React, no Strapi, so the conversion to and
 * from JSON Logic is tested on its own.
 */
import type { AttributeType, CatalogueAttribute } from '../../../shared/contracts/settings';

export type { AttributeType, CatalogueAttribute };

/** How an operator's value is entered and stored. */
export type ValueShape = 'scalar' | 'list' | 'pair';

/**
 * Where the attribute sits among the JSON Logic arguments:
 * `first` {"op": [{"var": a}, v…]}, `last` {"op": [v, {"var": a}]}, `middle` {"op": [v, {"var": a}, w]}.
 */
type VarPosition = 'first' | 'last' | 'middle';

export interface OperatorSpec {
  /** Unique within the builder; also the translation key suffix. */
  id: string;
  /** The JSON Logic operator it writes. */
  json: string;
  types: readonly AttributeType[];
  value: ValueShape;
  varAt: VarPosition;
}

/** Every operator the builder offers, in menu order. Each writes one JSON Logic operator node. */
export const OPERATORS: readonly OperatorSpec[] = [
  { id: 'equals', json: '==', types: ['string', 'number', 'boolean', 'version'], value: 'scalar', varAt: 'first' },
  { id: 'notEquals', json: '!=', types: ['string', 'number', 'version'], value: 'scalar', varAt: 'first' },
  { id: 'oneOf', json: 'in', types: ['string', 'number', 'version'], value: 'list', varAt: 'first' },
  { id: 'contains', json: 'contains', types: ['string[]', 'string'], value: 'scalar', varAt: 'first' },
  { id: 'includesExactly', json: 'in', types: ['string[]', 'string'], value: 'scalar', varAt: 'last' },
  { id: 'startsWith', json: 'starts_with', types: ['string'], value: 'scalar', varAt: 'first' },
  { id: 'endsWith', json: 'ends_with', types: ['string'], value: 'scalar', varAt: 'first' },
  { id: 'lessThan', json: '<', types: ['number'], value: 'scalar', varAt: 'first' },
  { id: 'atMost', json: '<=', types: ['number'], value: 'scalar', varAt: 'first' },
  { id: 'greaterThan', json: '>', types: ['number'], value: 'scalar', varAt: 'first' },
  { id: 'atLeast', json: '>=', types: ['number'], value: 'scalar', varAt: 'first' },
  { id: 'from', json: '<=', types: ['number'], value: 'pair', varAt: 'middle' },
  { id: 'before', json: 'before', types: ['date'], value: 'scalar', varAt: 'first' },
  { id: 'after', json: 'after', types: ['date'], value: 'scalar', varAt: 'first' },
  { id: 'between', json: 'between', types: ['date'], value: 'pair', varAt: 'first' },
  { id: 'versionAtLeast', json: 'semver_gte', types: ['version'], value: 'scalar', varAt: 'first' },
  { id: 'versionAbove', json: 'semver_gt', types: ['version'], value: 'scalar', varAt: 'first' },
  { id: 'versionAtMost', json: 'semver_lte', types: ['version'], value: 'scalar', varAt: 'first' },
  { id: 'versionBelow', json: 'semver_lt', types: ['version'], value: 'scalar', varAt: 'first' },
];

const BY_ID = new Map(OPERATORS.map((operator) => [operator.id, operator]));

export function operatorById(id: string): OperatorSpec | undefined {
  return BY_ID.get(id);
}

function allowedOperatorsOf(attribute: CatalogueAttribute): ReadonlySet<string> | null {
  return attribute.operators && attribute.operators.length > 0 ? new Set<string>(attribute.operators) : null;
}

/** The values the attribute takes, when the catalogue lists them; null: any value of its type. */
export function choicesOf(attribute: CatalogueAttribute): string[] | null {
  return attribute.values && attribute.values.length > 0 ? attribute.values : null;
}

/** The attribute's numeric range; either end may be open. */
export function boundsOf(attribute: CatalogueAttribute): { min: number | null; max: number | null } {
  return { min: attribute.min ?? null, max: attribute.max ?? null };
}

/** What editors read for the attribute: its catalogue title, else its name. */
export function titleOf(attribute: CatalogueAttribute): string {
  return attribute.title && attribute.title.trim() !== '' ? attribute.title : attribute.name;
}

/** True when a number lies in the attribute's range (whole when it must be) and a listed value is one of its values. */
export function isAllowedValue(attribute: CatalogueAttribute, value: Scalar): boolean {
  if (typeof value === 'number') {
    const { min, max } = boundsOf(attribute);
    if ((min !== null && value < min) || (max !== null && value > max)) return false;
    if (attribute.integer && !Number.isInteger(value)) return false;
  }
  const choices = choicesOf(attribute);
  return !choices || typeof value !== 'string' || choices.includes(value);
}

/** Operators that compare with whole listed values: what an attribute with `values` offers. */
const PICKED_VALUE_OPERATORS: Partial<Record<AttributeType, readonly string[]>> = {
  string: ['equals', 'notEquals', 'oneOf'],
  'string[]': ['contains', 'includesExactly'],
};

/**
 * Operators the attribute's type supports and its catalogue entry allows; for an attribute with
 * listed values, only those that compare with a whole value (a part of one is never listed).
 */
export function operatorsFor(attribute: CatalogueAttribute): OperatorSpec[] {
  const allowed = allowedOperatorsOf(attribute);
  const picked = choicesOf(attribute) ? PICKED_VALUE_OPERATORS[attribute.type] : undefined;
  return OPERATORS.filter(
    (operator) =>
      operator.types.includes(attribute.type) &&
      (!allowed || allowed.has(operator.json)) &&
      (!picked || picked.includes(operator.id))
  );
}

export type Scalar = string | number | boolean;
export type ConditionValue = Scalar | Array<Scalar | null> | null;

export interface Condition {
  kind: 'condition';
  id: string;
  attribute: string;
  operator: string;
  /** Scalar, list (`oneOf`) or [from, to] (`from`, `between`); null while not entered. */
  value: ConditionValue;
}

export interface Group {
  kind: 'group';
  id: string;
  combinator: 'and' | 'or';
  negated: boolean;
  children: RuleNode[];
}

export type RuleNode = Condition | Group;

let nextId = 0;
export function newId(): string {
  nextId += 1;
  return `n${nextId}`;
}

export function emptyGroup(combinator: 'and' | 'or' = 'and'): Group {
  return { kind: 'group', id: newId(), combinator, negated: false, children: [] };
}

/** A condition on the attribute with its first operator and an empty value. */
export function newCondition(attribute: CatalogueAttribute): Condition {
  const operator = operatorsFor(attribute)[0];
  return { kind: 'condition', id: newId(), attribute: attribute.name, operator: operator.id, value: emptyValue(operator, attribute.type) };
}

export function emptyValue(operator: OperatorSpec, type: AttributeType): ConditionValue {
  if (operator.value === 'list') return [];
  if (operator.value === 'pair') return [null, null];
  return type === 'boolean' ? true : null;
}

/** The scalar type one value of an attribute has (an item, for lists). */
export function scalarTypeOf(type: AttributeType): 'string' | 'number' | 'boolean' {
  if (type === 'number') return 'number';
  if (type === 'boolean') return 'boolean';
  return 'string';
}

export function isScalarOf(value: unknown, type: AttributeType): value is Scalar {
  const expected = scalarTypeOf(type);
  if (expected === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (expected === 'string') return typeof value === 'string' && (type !== 'date' || !Number.isNaN(Date.parse(value)));
  return typeof value === expected;
}

/** True when the value fits the operator and the attribute type (what a save needs). */
export function isCompleteValue(operator: OperatorSpec, type: AttributeType, value: ConditionValue): boolean {
  if (operator.value === 'scalar') return isScalarOf(value, type) && value !== '';
  if (!Array.isArray(value)) return false;
  if (operator.value === 'pair') return value.length === 2 && value.every((item) => isScalarOf(item, type) && item !== '');
  return value.length > 0 && value.every((item) => isScalarOf(item, type) && item !== '');
}

/** The values of a condition that the attribute's catalogue entry refuses (out of range, not listed). */
export function refusedValues(attribute: CatalogueAttribute, value: ConditionValue): Scalar[] {
  const values = Array.isArray(value) ? value : [value];
  return values.filter((item): item is Scalar => item !== null && item !== '' && !isAllowedValue(attribute, item));
}

/** Conditions of the tree whose value is missing, of the wrong type, or refused by the catalogue. */
export function incompleteConditions(node: RuleNode, catalogue: ReadonlyMap<string, CatalogueAttribute>): Condition[] {
  if (node.kind === 'group') return node.children.flatMap((child) => incompleteConditions(child, catalogue));
  const attribute = catalogue.get(node.attribute);
  const operator = operatorById(node.operator);
  if (!attribute || !operator || !isCompleteValue(operator, attribute.type, node.value)) return [node];
  if (refusedValues(attribute, node.value).length > 0) return [node];
  return [];
}

/** Attribute names the tree reads, sorted. */
export function attributesOf(node: RuleNode): string[] {
  const names = new Set<string>();
  const walk = (current: RuleNode) => {
    if (current.kind === 'condition') names.add(current.attribute);
    else current.children.forEach(walk);
  };
  walk(node);
  return [...names].sort();
}
