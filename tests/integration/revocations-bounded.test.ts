import request from 'supertest';
import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { startStrapi, stopStrapi } from '../helpers/strapi';

const REVOCATION = 'plugin::personalization.revocation';
const LIMIT = 1_000;
const DAY = 24 * 3600_000;

/**
 * Revocations held in memory are bounded (`revocationsInMemory`, the newest); a token whose
 * withdrawal memory does not hold is still refused, from the table, and a cached token whose
 * revocation memory lets go of is checked again.
 */
describe('revocations beyond what memory holds', () => {
  let strapi: Core.Strapi;
  const http = () => request(strapi.server.httpServer);
  const revocations = () => strapi.plugin('personalization').service('revocations');
  const issue = async () => strapi.plugin('personalization').service('consent').issuer().issue({ purposes: ['personalization'], attributes: {} });
  const check = async (token: string) => {
    const response = await http().get('/api/personalization/consent').set('X-Consent-Token', token);
    return response.status === 200 ? 'valid' : response.body.error?.details?.reason;
  };

  /** `count` revocation rows of tokens valid 90 more days, recorded `ageDays` ago. */
  async function recordRevocations(recordIds: string[], ageDays: number): Promise<void> {
    const at = new Date(Date.now() - ageDays * DAY);
    const expiresAt = new Date(Date.now() + 90 * DAY);
    const rows = recordIds.map((recordId) => ({ documentId: randomUUID().replace(/-/g, '').slice(0, 24), recordId, expiresAt, createdAt: at, updatedAt: at }));
    for (let start = 0; start < rows.length; start += 250) await strapi.db.query(REVOCATION).createMany({ data: rows.slice(start, start + 250) });
  }

  beforeAll(async () => {
    strapi = await startStrapi({ config: { revocationsInMemory: LIMIT, rateLimit: { windowSeconds: 60, max: 1000 } } });
  }, 180_000);

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  it('holds the newest, refuses an older withdrawal from the table, and lets other tokens through', async () => {
    const old = await issue();
    const valid = await issue();
    await recordRevocations([old.recordId], 30);
    await recordRevocations(Array.from({ length: LIMIT + 50 }, () => randomUUID()), 1);
    // As at start.
    await revocations().load();
    expect(revocations().held()).toEqual({ size: LIMIT, complete: false });
    expect(revocations().has(old.recordId)).toBeUndefined();

    expect(await check(old.token)).toBe('token-revoked');
    expect(await check(valid.token)).toBe('valid');
    // Cached now, and still refused or accepted the same way.
    expect([await check(old.token), await check(valid.token)]).toEqual(['token-revoked', 'valid']);
  }, 60_000);

  it('checks a cached token again once memory lets go of its revocation', async () => {
    const token = (await issue()).token;
    expect(await check(token)).toBe('valid');
    await http().delete('/api/personalization/consent').set('X-Consent-Token', token).expect(204);
    expect(await check(token)).toBe('token-revoked');
    // Newer withdrawals (another instance's, say) push it out of memory.
    for (let i = 0; i < LIMIT; i++) revocations().mark(randomUUID(), Date.now() + 90 * DAY);
    expect(revocations().held().size).toBe(LIMIT);
    expect(await check(token)).toBe('token-revoked');
  }, 60_000);

  it('answers from memory alone again once what is left fits', async () => {
    await strapi.db.query(REVOCATION).deleteMany({ where: { createdAt: { $lt: new Date(Date.now() - 2 * DAY) } } });
    await strapi.db.query(REVOCATION).updateMany({ where: {}, data: { expiresAt: new Date(Date.now() - DAY) } });
    const kept = await issue();
    await http().delete('/api/personalization/consent').set('X-Consent-Token', kept.token).expect(204);
    await revocations().purge();
    expect(revocations().held().complete).toBe(true);
    expect(await check(kept.token)).toBe('token-revoked');
    expect(revocations().has(randomUUID())).toBe(false);
  }, 60_000);
});
