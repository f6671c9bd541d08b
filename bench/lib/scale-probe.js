'use strict';
/**
 * Run inside the Strapi process (tests/helpers/instance-main.js `call`) by bench/scale.js:
 * memory after a full collection, revocations seeded and loaded as the consent service loads
 * them, and the cost of the revocation check on the token path.
 */
const crypto = require('node:crypto');
const { performance } = require('node:perf_hooks');

const REVOCATION = 'plugin::personalization.revocation';
const CHUNK = 1000;

/** process.memoryUsage() after collecting garbage (the bench runs node with --expose-gc). */
function memory() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  global.gc();
  global.gc();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

/** `count` revocation rows of tokens that expire in 90 days, then the service's own load. */
async function seedRevocations(strapi, count) {
  const started = Date.now();
  const expiresAt = new Date(Date.now() + 90 * 24 * 3600 * 1000);
  const now = new Date();
  for (let start = 0; start < count; start += CHUNK) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + CHUNK); i++) {
      rows.push({ documentId: crypto.randomUUID().replace(/-/g, '').slice(0, 24), recordId: crypto.randomUUID(), expiresAt, createdAt: now, updatedAt: now });
    }
    await strapi.db.query(REVOCATION).createMany({ data: rows });
  }
  const seededMs = Date.now() - started;
  const loadStarted = Date.now();
  await strapi.plugin('personalization').service('revocations').load();
  return { count, seededMs, loadMs: Date.now() - loadStarted };
}

function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/**
 * ns per verifyToken of a token already verified (the cache hit every later request of a visitor
 * takes, which checks the revocations), for a valid token and for a revoked one.
 */
async function revocationCheck(strapi, iterations) {
  const consent = strapi.plugin('personalization').service('consent');
  const valid = (await consent.issuer().issue({ purposes: ['personalization'], attributes: {} })).token;
  const revoked = (await consent.issuer().issue({ purposes: ['personalization'], attributes: {} })).token;
  const time = async (token, expected) => {
    const first = await consent.verifyToken(token);
    if (first.ok !== expected) throw new Error(`expected ok=${expected}, got ${JSON.stringify(first)}`);
    for (let i = 0; i < 1000; i++) await consent.verifyToken(token);
    const started = performance.now();
    for (let i = 0; i < iterations; i++) await consent.verifyToken(token);
    return Math.round(((performance.now() - started) * 1e6) / iterations);
  };
  const validNs = await time(valid, true);
  // Verified (and cached) first, then revoked: the check must catch it on the cached path.
  await consent.verifyToken(revoked);
  strapi.plugin('personalization').service('revocations').mark(claimsOf(revoked).rid, Date.now() + 3600_000);
  const revokedNs = await time(revoked, false);
  return { validNs, revokedNs, iterations };
}

module.exports = { memory, seedRevocations, revocationCheck };
