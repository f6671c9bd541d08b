/**
 * The order delivery tries variants in, as the side panel shows and changes it: targeted variants
 * first, then mass variants, each list by priority. An editor reorders within a list; the order
 * endpoint takes every key, so the two lists are sent one after the other.
 */
import type { VariantKind } from '../../../shared/contracts';

export interface EvaluationLists<T> {
  targeted: T[];
  mass: T[];
}

/** Splits records (already by priority) into the two lists, keeping their order. */
export function evaluationLists<T extends { kind: VariantKind }>(records: readonly T[]): EvaluationLists<T> {
  return {
    targeted: records.filter((record) => record.kind === 'targeted'),
    mass: records.filter((record) => record.kind === 'mass'),
  };
}

/** `keys` with the one at `from` moved to `to` (both indexes in `keys`). */
export function moveKey(keys: readonly string[], from: number, to: number): string[] {
  const moved = [...keys];
  if (from < 0 || from >= moved.length || to < 0 || to >= moved.length) return moved;
  const [key] = moved.splice(from, 1);
  moved.splice(to, 0, key);
  return moved;
}

/** The body of `PUT …/order` after moving an item within one list: every key, targeted then mass. */
export function reorderedKeys<T extends { kind: VariantKind; key: string }>(
  lists: EvaluationLists<T>,
  kind: VariantKind,
  from: number,
  to: number
): string[] {
  const keysOf = (list: T[]) => list.map((record) => record.key);
  const targeted = kind === 'targeted' ? moveKey(keysOf(lists.targeted), from, to) : keysOf(lists.targeted);
  const mass = kind === 'mass' ? moveKey(keysOf(lists.mass), from, to) : keysOf(lists.mass);
  return [...targeted, ...mass];
}
