import type { Core } from '@strapi/strapi';
import { settings } from '../settings';
import type { CoherenceService } from './coherence';

const REVOCATION = 'plugin::personalization.revocation';

/**
 * Withdrawn consent records: the `revocation` table and this instance's copy in memory, which
 * the token verifier asks on every request (`has`). A withdrawal here is announced to the other
 * instances (services/coherence.ts); theirs arrive through the handlers bootstrap registers
 * (`load` since a time, `mark` one). Only tokens that can still verify are kept.
 */
const revocations = ({ strapi }: { strapi: Core.Strapi }) => {
  /** Revoked consent record ids → expiry (epoch ms). */
  const revoked = new Map<string, number>();

  /** The verifier accepts a token up to the clock skew past its expiry. */
  const cutoff = (now: number) => now - settings(strapi).config.clockSkewSeconds * 1000;

  function forgetExpired(before: number): void {
    for (const [recordId, expiresAt] of revoked) if (expiresAt < before) revoked.delete(recordId);
  }

  async function isRecorded(recordId: string): Promise<boolean> {
    return (await strapi.db.query(REVOCATION).count({ where: { recordId } })) > 0;
  }

  return {
    has(recordId: string): boolean {
      return revoked.has(recordId);
    },

    /**
     * Loads revocations of tokens that can still verify: all of them, or those recorded since
     * `since` (another instance's withdrawals). Merges: a revocation is never undone, and one
     * marked while the query ran must not be lost.
     */
    async load(since?: Date): Promise<void> {
      const before = cutoff(Date.now());
      const rows = await strapi.db.query(REVOCATION).findMany({
        select: ['recordId', 'expiresAt'],
        where: { expiresAt: { $gt: new Date(before) }, ...(since ? { createdAt: { $gte: since } } : {}) },
      });
      // SQLite, PostgreSQL and MySQL hand datetimes back in different shapes; Date takes each of them.
      for (const row of rows as Array<{ recordId: string; expiresAt: string | number | Date }>) {
        revoked.set(row.recordId, new Date(row.expiresAt).getTime());
      }
      forgetExpired(before);
    },

    mark(recordId: string, expiresAt: number): void {
      revoked.set(recordId, expiresAt);
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
      forgetExpired(before);
      return count;
    },
  };
};

export type RevocationsService = ReturnType<typeof revocations>;
export default revocations;
