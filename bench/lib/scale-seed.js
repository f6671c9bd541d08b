'use strict';
/**
 * Run inside a Strapi process (bench/lib/app.js or tests/helpers/instance-main.js `call`) for the
 * 50,000-variant cells (bench/scale-cells.js): variants on the published bases already seeded
 * (bench/lib/seed.js), several per base, mixed targeted and mass, some with segments, and the
 * cost of updating the index for one base against rebuilding it whole.
 */
const { performance } = require('node:perf_hooks');
const { ARTICLE, VARIANT, BODY, documentId, articleRows, variantRecord, clearVariants, insert, analyze } = require('./seed');

const SEGMENT = 'plugin::personalization.segment';

/** Per base, in priority order: what the bench token (interests: outdoor) matches first varies. */
const SHAPES = [
  { key: 'cooking', kind: 'targeted', audience: { in: ['cooking', { var: 'interests' }] }, segments: [] },
  { key: 'outdoor-fans', kind: 'targeted', audience: null, segments: ['outdoor-fans'] },
  { key: 'outdoor', kind: 'targeted', audience: { in: ['outdoor', { var: 'interests' }] }, segments: [] },
  { key: 'evening', kind: 'mass', audience: { '>=': [{ var: 'hour' }, 18] }, segments: [] },
  { key: 'everyone', kind: 'mass', audience: null, segments: ['all-day'] },
];
const SEGMENTS = [
  { key: 'outdoor-fans', name: 'Outdoor fans', rule: { in: ['outdoor', { var: 'interests' }] } },
  { key: 'all-day', name: 'All day', rule: { '>=': [{ var: 'hour' }, 0] } },
];

async function baseIds(strapi) {
  const rows = await strapi.db.query(ARTICLE).findMany({
    select: ['documentId'],
    where: { variantOf: { $null: true }, publishedAt: { $notNull: true }, locale: 'en' },
    orderBy: { id: 'asc' },
  });
  return rows.map((row) => row.documentId);
}

/**
 * Replaces every variant with `variants` new ones, spread evenly over the published bases (up to
 * ten per base), published, with the shapes above in turn; then one full index build.
 */
async function setScaleVariants(strapi, { variants }) {
  const started = Date.now();
  const bases = await baseIds(strapi);
  if (variants > bases.length * 10) throw new Error(`at most ten variants per base (${bases.length} bases)`);
  await clearVariants(strapi);
  if ((await strapi.db.query(SEGMENT).count()) === 0) {
    await insert(strapi, SEGMENT, SEGMENTS.map((segment) => ({ ...segment, documentId: documentId(), description: null })));
  }
  const now = new Date();
  const perBase = Math.ceil(variants / Math.max(1, bases.length));
  const rows = [];
  const records = [];
  for (let n = 0; n < variants; n++) {
    const base = bases[Math.floor(n / perBase)];
    const slot = n % perBase;
    // Ten per base run through every shape twice; one per base alternates between bases.
    const shape = SHAPES[n % SHAPES.length];
    const key = `${shape.key}-${slot}`;
    const variantDocumentId = documentId();
    const fields = { title: `${key} version`, slug: `${key}-${base}`, summary: `For ${key}.`, body: BODY };
    rows.push(...articleRows(variantDocumentId, fields, now, { variantOf: base }));
    records.push(variantRecord({ name: key, key, base, variantDocumentId, kind: shape.kind, audience: shape.audience, segments: shape.segments, priority: slot, now }));
  }
  await insert(strapi, ARTICLE, rows);
  await insert(strapi, VARIANT, records);
  await analyze(strapi);
  await strapi.plugin('personalization').service('variant-index').rebuild();
  return { variants, perBase, bases: bases.length, ms: Date.now() - started };
}

/**
 * The index work of a change: `changes` updates of one base each (a different base each time, as
 * a change announced by another instance is applied), then `full` full builds; milliseconds each.
 */
async function indexUpdateCost(strapi, { changes = 100, full = 3 }) {
  const index = strapi.plugin('personalization').service('variant-index');
  const records = await strapi.db.query(VARIANT).findMany({ select: ['baseDocumentId'], limit: 100_000 });
  const bases = [...new Set(records.map((record) => record.baseDocumentId))];
  const one = [];
  for (let i = 0; i < changes; i++) {
    const started = performance.now();
    await index.refresh({ uid: ARTICLE, base: bases[(i * 7919) % bases.length] });
    one.push(performance.now() - started);
  }
  const whole = [];
  for (let i = 0; i < full; i++) {
    const started = performance.now();
    await index.refresh();
    whole.push(performance.now() - started);
  }
  return { oneBase: one, full: whole, liveVariants: records.length };
}

module.exports = { setScaleVariants, indexUpdateCost };
