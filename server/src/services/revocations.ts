import type { Core } from '@strapi/strapi';
import { revocationMemory, type RevocationMemory } from '../core/consent/revocation-memory';
import { settings } from '../settings';
import type { CoherenceService } from './coherence';

const REVOCATION = 'plugin::personalization.revocation';

/**
 * Withdrawn consent records: the `revocation` table and this instance's copy in memory, which
 * the token verifier asks on every request (`has`). A withdrawal here is announced to the other
 * instances (services/coherence.ts); theirs arrive through the handlers bootstrap registers
 * (`load` since a time, `mark` one). Only tokens that can still verify are kept, and at most
 * `revocationsInMemory` of them, the newest (core/consent/revocation-memory.ts): beyond that, a
 * token verified afresh is looked up in the table (`isRecorded`).
 */
const revocations = ({ strapi }: { strapi: Core.Strapi }) => {
  let memory: RevocationMemory | undefined;
  let letGo: (recordId: string) => void = () => undefined;
  /** Revoked consent record ids → expiry (epoch ms), bounded; made once the config is read. */
  const revoked = () =>
    (memory ??= revocationMemory({ limit: settings(strapi).config.revocationsInMemory, onEvict: (recordId) => letGo(recordId) }));

  /** The verifier accepts a token up to the clock skew past its expiry. */
  const cutoff = (now: number) => now - settings(strapi).config.clockSkewSeconds * 1000;

  async function isRecorded(recordId: string): Promise<boolean> {
    return (await strapi.db.query(REVOCATION).count({ where: { recordId } })) > 0;
  }

  return {
    /** True or false; undefined when memory holds only the newest revocations and not this one. */
    has(recordId: string): boolean | undefined {
      return revoked().has(recordId);
    },

    /** Whether the table records this withdrawal: asked when memory cannot tell. */
    isRecorded,

    /** Called with each revocation memory lets go of: its tokens must not stay cached unchecked. */
    onLetGo(callback: (recordId: string) => void): void {
      letGo = callback;
    },

    /** How many revocations memory holds, and whether that is all of them. */
    held(): { size: number; complete: boolean } {
      return { size: revoked().size, complete: revoked().complete };
    },

    /**
     * Loads revocations of tokens that can still verify: all of them, or those recorded since
     * `since` (another instance's withdrawals). Merges: a revocation is never undone, and one
     * marked while the query ran must not be lost.
     */
    async load(since?: Date): Promise<void> {
      const before = cutoff(Date.now());
      const live = { expiresAt: { $gt: new Date(before) } };
      const query = strapi.db.query(REVOCATION);
      const limit = settings(strapi).config.revocationsInMemory;
      // All since `since`; at start, the newest that fit, and how many there are.
      const rows = await query.findMany({
        select: ['recordId', 'expiresAt'],
        where: { ...live, ...(since ? { createdAt: { $gte: since } } : {}) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        ...(since ? {} : { limit }),
      });
      // SQLite, PostgreSQL and MySQL hand datetimes back in different shapes; Date takes each of them.
      const entries = (rows as Array<{ recordId: string; expiresAt: string | number | Date }>)
        .reverse()
        .map((row): [string, number] => [row.recordId, new Date(row.expiresAt).getTime()]);
      if (since) entries.forEach(([recordId, expiresAt]) => revoked().add(recordId, expiresAt));
      else revoked().loaded(entries, rows.length < limit ? rows.length : await query.count({ where: live }));
      revoked().forgetExpired(before);
    },

    mark(recordId: string, expiresAt: number): void {
      revoked().add(recordId, expiresAt);
    },

    /**
     * Revokes a consent record at once, here and, through the coherence announcement, on every
     * other instance. `recordWithdrawal` runs in the same transaction as the first revocation of
     * the record only: revoking twice is no error and writes nothing.
     */
    async revoke(recordId: string, expiresAt: Date, recordWithdrawal: () => Promise<unknown>): Promise<void> {
      try {
        await strapi.db.transaction(async () => {
          if (await isRecorded(recordId)) return;
          await strapi.db.query(REVOCATION).create({ data: { recordId, expiresAt } });
          await recordWithdrawal();
        });
      } catch (error) {
        // A concurrent withdrawal of the same token won the unique recordId.
        if (!(await isRecorded(recordId))) throw error;
      }
      this.mark(recordId, expiresAt.getTime());
      const coherence = strapi.plugin('personalization').service('coherence') as CoherenceService;
      await coherence.announce({ kind: 'revocation', recordId, expiresAt: expiresAt.getTime() });
    },

    /** Deletes revocations of tokens that can no longer verify anyway; returns how many rows. */
    async purge(now: Date = new Date()): Promise<number> {
      const before = cutoff(now.getTime());
      const { count } = await strapi.db.query(REVOCATION).deleteMany({ where: { expiresAt: { $lt: new Date(before) } } });
      revoked().forgetExpired(before);
      // Fewer left may fit again: memory then answers alone.
      if (!revoked().complete) await this.load();
      return count;
    },
  };
};

export type RevocationsService = ReturnType<typeof revocations>;
export default revocations;
