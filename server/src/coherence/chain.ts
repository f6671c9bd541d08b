/**
 * The variants change stamps an instance has applied, as a chain. Every stamp names the one it
 * replaced (services/coherence.ts writes them by compare and swap), so a message that arrives
 * after its predecessor moves the head on, and one that arrives early waits for it. A message
 * that never arrives leaves the head behind the database's stamp, and the background check then
 * reads everything again. Pure: no Strapi import.
 */
export function stampChain(limit = 1_000) {
  let head: string | undefined;
  /** Links that arrived before their predecessor: previous stamp → stamp. */
  const ahead = new Map<string, string>();
  /** Stamps the head has been at, the newest `limit`. */
  const passed = new Set<string>();

  function moveTo(stamp: string | undefined): void {
    head = stamp;
    if (stamp === undefined) return;
    passed.add(stamp);
    if (passed.size > limit) passed.delete(passed.values().next().value as string);
  }

  function follow(): void {
    for (let next = head === undefined ? undefined : ahead.get(head); next !== undefined; next = ahead.get(head!)) {
      ahead.delete(head!);
      moveTo(next);
    }
  }

  return {
    /** The newest stamp every change up to which has been applied here. */
    head: (): string | undefined => head,

    /** Everything up to `stamp` is applied (a full read began after it was written). */
    reset(stamp: string | undefined): void {
      moveTo(stamp);
      follow();
    },

    /** Whether the head has been at `stamp`: every change up to it was applied here. */
    reached(stamp: string): boolean {
      return passed.has(stamp);
    },

    /** The change stamped `stamp`, which replaced `prev`, is applied. */
    link(prev: string | undefined, stamp: string): void {
      if (prev === undefined) return;
      if (prev === head) {
        moveTo(stamp);
        follow();
        return;
      }
      if (ahead.size >= limit) ahead.clear();
      ahead.set(prev, stamp);
    },
  };
}

export type StampChain = ReturnType<typeof stampChain>;
