/**
 * What a rule reads, found statically: the attribute names in its `var` and `missing`
 * operators, and the consent purposes those attributes need. Exact for every rule that passes
 * `checkRuleShape` (no computed names, no nested paths); used to refuse personal attributes in
 * mass variants and to tell a visitor which purposes a variant depends on.
 */
import { fullCatalogue, type Catalogue } from '../catalogue';

const ITERATORS: ReadonlySet<string> = new Set(['some', 'all', 'none']);
/** Deeper than any valid rule; only stops runaway input. */
const WALK_LIMIT = 64;

/** Attribute names the rule reads, deduplicated and sorted. */
export function attributesRead(rule: unknown): string[] {
  const names = new Set<string>();
  collect(rule, false, names, 0);
  return [...names].sort();
}

/** Purposes of the attributes the rule reads, sorted; built-ins need none. */
export function purposesImplied(rule: unknown, catalogue: Catalogue): string[] {
  return purposesOfAttributes(attributesRead(rule), catalogue);
}

/** Purposes of these attributes, sorted; built-ins need none. */
export function purposesOfAttributes(names: readonly string[], catalogue: Catalogue): string[] {
  const full = fullCatalogue(catalogue);
  const purposes = new Set<string>();
  for (const name of names) {
    const purpose = purposeOf(name, full);
    if (purpose) purposes.add(purpose);
  }
  return [...purposes].sort();
}

/** Attributes read that need a consent purpose: what a mass variant may not read. */
export function personalAttributesRead(rule: unknown, catalogue: Catalogue): string[] {
  const full = fullCatalogue(catalogue);
  return attributesRead(rule).filter((name) => purposeOf(name, full) !== undefined);
}

/** Built-ins come last in the full catalogue, so a configured attribute cannot give one a purpose. */
function purposeOf(name: string, full: Catalogue): string | undefined {
  return Object.prototype.hasOwnProperty.call(full, name) ? full[name].purpose : undefined;
}

function collect(node: unknown, insideIterator: boolean, names: Set<string>, depth: number): void {
  if (node === null || typeof node !== 'object' || depth > WALK_LIMIT) return;
  if (Array.isArray(node)) {
    for (const item of node) collect(item, insideIterator, names, depth + 1);
    return;
  }
  for (const [operator, args] of Object.entries(node)) {
    const list: unknown[] = Array.isArray(args) ? args : [args];
    if (operator === 'var') {
      // Inside some/all/none, `var` reads the current item, not an attribute.
      if (!insideIterator && typeof list[0] === 'string' && list[0] !== '') names.add(list[0]);
      collect(list[1], insideIterator, names, depth + 1);
    } else if (operator === 'missing') {
      for (const name of list) if (typeof name === 'string') names.add(name);
    } else if (operator === 'missing_some') {
      const options: unknown = list[1];
      if (Array.isArray(options)) for (const name of options) if (typeof name === 'string') names.add(name);
    } else if (ITERATORS.has(operator)) {
      collect(list[0], insideIterator, names, depth + 1);
      collect(list[1], true, names, depth + 1);
    } else {
      collect(list, insideIterator, names, depth + 1);
    }
  }
}
