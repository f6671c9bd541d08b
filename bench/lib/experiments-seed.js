'use strict';
/**
 * Running experiments for the bench (section f): one on each of the first `experiments` bases that
 * have a variant, with two arms (the base as control, the base's variant as treatment, 50/50),
 * written straight into the experiment table as the admin API's start leaves them, then the
 * experiment index reloaded. `experiments: 0` removes them all, with their counts.
 */
const crypto = require('node:crypto');

const EXPERIMENT = 'plugin::personalization.experiment';
const COUNT = 'plugin::personalization.experiment-count';
const VARIANT = 'plugin::personalization.variant';
const ARTICLE = 'api::article.article';
const CHUNK = 500;

async function setExperiments(strapi, { experiments }) {
  const started = Date.now();
  const plugin = strapi.plugin('personalization');
  if (!plugin) throw new Error('experiments need the plugin');
  await plugin.service('experiment-counts').flush();
  await strapi.db.query(EXPERIMENT).deleteMany({});
  await strapi.db.query(COUNT).deleteMany({});
  const variants = await strapi.db
    .query(VARIANT)
    .findMany({ select: ['baseDocumentId', 'key'], where: { contentType: ARTICLE }, orderBy: [{ id: 'asc' }] });
  if (experiments > variants.length) throw new Error(`${experiments} experiments need as many bases with a variant (${variants.length})`);
  const now = new Date();
  const rows = variants.slice(0, experiments).map((variant, index) => ({
    documentId: crypto.randomUUID().replace(/-/g, '').slice(0, 24),
    name: `Experiment ${index}`,
    key: `bench-${index}`,
    contentType: ARTICLE,
    baseDocumentId: variant.baseDocumentId,
    arms: [
      { key: 'control', variant: null, weight: 0.5 },
      { key: 'treatment', variant: variant.key, weight: 0.5 },
    ],
    coverage: 1,
    goals: ['signup'],
    audience: null,
    segments: [],
    status: 'running',
    seed: crypto.randomUUID(),
    startedAt: now,
    createdAt: now,
    updatedAt: now,
  }));
  for (let start = 0; start < rows.length; start += CHUNK) {
    await strapi.db.query(EXPERIMENT).createMany({ data: rows.slice(start, start + CHUNK) });
  }
  await plugin.service('experiment-index').refresh();
  return { experiments, ms: Date.now() - started };
}

/**
 * The SQL of `requests` single requests, with the experiment counts' flush timer held for the
 * window: the statements run inside a request (Strapi's request context is set when knex emits
 * them): reads, and writes (INSERT, UPDATE, DELETE, which must be none); apart, those the process
 * ran outside any request meanwhile (other background flushes). Then what the experiment buffer
 * holds, and the statements of its one flush.
 */
async function requestPathStatements(strapi, get, { path, headers, requests }) {
  const counts = strapi.plugin('personalization').service('experiment-counts');
  await get(path, headers);
  await counts.stop();
  const knex = strapi.db.connection;
  const statements = [];
  const background = [];
  const onQuery = (query) => (strapi.requestContext.get() ? statements : background).push(query.sql);
  knex.on('query', onQuery);
  try {
    for (let index = 0; index < requests; index++) {
      const response = await get(path, headers);
      if (response.status !== 200) throw new Error(`${path}: status ${response.status}`);
    }
    const onPath = statements.splice(0);
    const outside = background.splice(0);
    const pending = counts.pending();
    await counts.flush();
    const flush = background.splice(0);
    return { requests, ...classify(onPath), outsideRequests: classify(outside), pendingAfter: pending, flush: classify(flush) };
  } finally {
    knex.removeListener('query', onQuery);
    counts.start();
  }
}

const WRITE = /^\s*(insert|update|delete|replace|merge)\b/i;
const TRANSACTION = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

function classify(statements) {
  const writes = statements.filter((sql) => WRITE.test(sql));
  return {
    statements: statements.length,
    dataQueries: statements.filter((sql) => !TRANSACTION.test(sql)).length,
    writes: writes.length,
    writeSamples: [...new Set(writes.map((sql) => sql.slice(0, 120)))].slice(0, 3),
  };
}

module.exports = { setExperiments, requestPathStatements };
