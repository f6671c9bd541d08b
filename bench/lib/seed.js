'use strict';
/**
 * Bulk seeding, in the shape Strapi's Draft & Publish stores documents: per document one draft
 * row (publishedAt null) and one published row, same documentId, locale `en`. Variant documents
 * are rows of the same table with their own documentId and `variantOf` = the base's documentId,
 * each linked by a plugin variant record. Then the variant index is rebuilt once.
 */
const crypto = require('node:crypto');

const ARTICLE = 'api::article.article';
const HOMEPAGE = 'api::homepage.homepage';
const VARIANT = 'plugin::personalization.variant';
const CHUNK = 500;

/** Audiences the variants alternate between: the bench token (interests: outdoor) matches the first. */
const AUDIENCES = [
  { key: 'outdoor', audience: { in: ['outdoor', { var: 'interests' }] } },
  { key: 'cooking', audience: { in: ['cooking', { var: 'interests' }] } },
];

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
function documentId() {
  const bytes = crypto.randomBytes(24);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

const BODY = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(16);

function articleRows(docId, fields, now, extra = {}) {
  const common = { documentId: docId, locale: 'en', createdAt: now, updatedAt: now, ...fields, ...extra };
  return [
    { ...common, publishedAt: null },
    { ...common, publishedAt: now },
  ];
}

/** A published plugin variant record of an article base (in the shape the variant index reads). */
function variantRecord({ name, key, base, variantDocumentId, kind = 'targeted', audience, segments = [], priority = 0, now }) {
  return {
    documentId: documentId(),
    name,
    key,
    contentType: ARTICLE,
    baseDocumentId: base,
    variantDocumentId,
    kind,
    audience,
    segments,
    requiredPurposes: [],
    priority,
    startsAt: null,
    endsAt: null,
    enabled: true,
    locales: null,
    createdAt: now,
    updatedAt: now,
    publishedAt: now,
  };
}

/** Every variant document and record goes, so a new level differs from the last by its variants only. */
async function clearVariants(strapi) {
  await strapi.db.query(ARTICLE).deleteMany({ where: { variantOf: { $notNull: true } } });
  await strapi.db.query(VARIANT).deleteMany({});
}

async function insert(strapi, uid, rows) {
  for (let start = 0; start < rows.length; start += CHUNK) {
    await strapi.db.query(uid).createMany({ data: rows.slice(start, start + CHUNK) });
  }
}

/**
 * PostgreSQL: what autovacuum does within a minute of a bulk load in production (planner
 * statistics, visibility map). Without it the planner works blind on the fresh tables and the
 * figures say more about that than about the plugin. SQLite is left as Strapi leaves it: no ANALYZE.
 */
async function analyze(strapi) {
  if (strapi.db.dialect.client !== 'postgres') return;
  const schema = strapi.config.get('database.connection.connection.schema', 'public');
  for (const uid of [ARTICLE, VARIANT]) {
    if (!strapi.db.metadata.has(uid)) continue; // the plugin's table, when the plugin is off
    const table = strapi.db.metadata.get(uid).tableName;
    await strapi.db.connection.raw('VACUUM ANALYZE ??', [`${schema}.${table}`]);
  }
}

/**
 * `entries` published bases; `variants` targeted variants (at most one per base), on bases spread
 * evenly over the whole table, so page 1 holds some of them at every level.
 */
async function seed(strapi, { entries, variants = 0 }) {
  const started = Date.now();
  const plugin = Boolean(strapi.plugin('personalization'));
  if (variants > 0 && !plugin) throw new Error('variants need the plugin');
  if (variants > entries) throw new Error('at most one variant per base');
  const now = new Date();

  const bases = [];
  const rows = [];
  for (let i = 0; i < entries; i++) {
    const docId = documentId();
    bases.push(docId);
    rows.push(
      ...articleRows(docId, { title: `Article ${i}`, slug: `article-${i}`, summary: `Summary of article ${i}.`, body: BODY }, now)
    );
  }
  await insert(strapi, ARTICLE, rows);
  seeded.set(strapi, bases);
  const result = await addVariants(strapi, bases, variants, now);
  return { entries, ...result, rows: rows.length + result.rows, seedMs: Date.now() - started };
}

/** The bases `seed` wrote, per Strapi instance, for `setVariants`. */
const seeded = new WeakMap();

/**
 * Replaces every variant of the seeded bases with `variants` new ones: the same table and process
 * measured at another level, so two levels differ by their variants only.
 */
async function setVariants(strapi, { variants }) {
  const started = Date.now();
  const bases = seeded.get(strapi);
  if (!bases) throw new Error('seed first');
  if (variants > bases.length) throw new Error('at most one variant per base');
  await clearVariants(strapi);
  const result = await addVariants(strapi, bases, variants, new Date());
  return { ...result, ms: Date.now() - started };
}

async function addVariants(strapi, bases, variants, now) {
  const variantRows = [];
  const records = [];
  const withVariant = [];
  const stride = variants > 0 ? bases.length / variants : 0;
  for (let j = 0; j < variants; j++) {
    const position = Math.floor(j * stride);
    const base = bases[position];
    const { key, audience } = AUDIENCES[j % AUDIENCES.length];
    const variantDocumentId = documentId();
    withVariant.push({ position, base, key });
    variantRows.push(
      ...articleRows(
        variantDocumentId,
        { title: `${key} version of article ${position}`, slug: `${key}-${base}`, summary: `For ${key} fans.`, body: BODY },
        now,
        { variantOf: base }
      )
    );
    records.push(variantRecord({ name: `${key} ${position}`, key, base, variantDocumentId, audience, now }));
  }
  await insert(strapi, ARTICLE, variantRows);
  await insert(strapi, VARIANT, records);
  await analyze(strapi);
  if (strapi.plugin('personalization')) await strapi.plugin('personalization').service('variant-index').rebuild();

  const hasVariant = new Set(withVariant.map((variant) => variant.base));
  const outdoor = withVariant.find((variant) => variant.key === 'outdoor');
  return {
    variants,
    rows: variantRows.length,
    // A base with a matching (outdoor) variant, for findOne, and one with no variant at all.
    outdoorBase: outdoor?.base ?? null,
    plainBase: bases.find((base) => !hasVariant.has(base)) ?? bases[0],
  };
}

/**
 * The homepage (a single type), draft and published, whose `highlights` relation reaches the first
 * `highlights` seeded bases: every one of them has a variant at 5,000 variants, and the audiences
 * alternate, so the bench token matches every other one. Through the document service, which
 * links the draft to draft rows and the published homepage to published rows as Strapi does.
 */
async function seedHomepage(strapi, { highlights }) {
  const bases = seeded.get(strapi);
  if (!bases) throw new Error('seed first');
  if (highlights > bases.length) throw new Error(`only ${bases.length} bases`);
  const homepage = strapi.documents(HOMEPAGE);
  const created = await homepage.create({
    locale: 'en',
    // Long-hand: Strapi reads a short-hand id that starts with a digit (ours may) as a row id.
    data: { headline: 'Bench homepage', intro: 'Twenty highlights.', highlights: bases.slice(0, highlights).map((documentId) => ({ documentId })) },
  });
  await homepage.publish({ documentId: created.documentId, locale: 'en' });
  return { documentId: created.documentId, highlights };
}

module.exports = { seed, setVariants, seedHomepage, AUDIENCES, ARTICLE, VARIANT, BODY, documentId, articleRows, variantRecord, clearVariants, insert, analyze };
