/** An audience in words, for lists and the side panel: `interests contains “outdoor” and hour is from 8 to 17`. */
import { fromJsonLogic } from './convert';
import type { CatalogueAttribute, RuleNode, Scalar } from './model';

export interface Wording {
  /** One condition as a sentence; `values` are already formatted (a pair is [from, to]). */
  condition(attribute: CatalogueAttribute | undefined, operator: string, values: string[]): string;
  and: string;
  or: string;
  not: string;
  everyone: string;
  /** A rule the builder cannot show; `names` are the attributes it reads. */
  custom(names: string[]): string;
  value(attribute: CatalogueAttribute | undefined, value: Scalar): string;
}

function describeNode(node: RuleNode, catalogue: Map<string, CatalogueAttribute>, wording: Wording, nested: boolean): string {
  if (node.kind === 'condition') {
    const attribute = catalogue.get(node.attribute);
    const values = Array.isArray(node.value) ? node.value : [node.value];
    return wording.condition(
      attribute,
      node.operator,
      values.map((value) => (value === null ? '…' : wording.value(attribute, value)))
    );
  }
  const parts = node.children.map((child) => describeNode(child, catalogue, wording, true));
  if (parts.length === 0) return wording.everyone;
  const body = parts.length === 1 ? parts[0] : parts.join(` ${node.combinator === 'and' ? wording.and : wording.or} `);
  if (node.negated) return `${wording.not} (${body})`;
  return nested && parts.length > 1 ? `(${body})` : body;
}

export function describeRule(rule: unknown, attributes: readonly CatalogueAttribute[], wording: Wording): string {
  const parsed = fromJsonLogic(rule, attributes);
  if (!parsed.ok) {
    const names = new Set<string>();
    JSON.stringify(rule, (key, value) => {
      if (key === 'var' && typeof value === 'string') names.add(value);
      return value;
    });
    return wording.custom([...names].sort());
  }
  const catalogue = new Map(attributes.map((attribute) => [attribute.name, attribute]));
  return describeNode(parsed.tree, catalogue, wording, false);
}
