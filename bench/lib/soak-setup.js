'use strict';
/**
 * Run inside a Strapi instance for the soak (bench/soak.js, through the `call` command): the
 * state of the seeded variants for the oracle, and an author whose articles the soak reads
 * through a relation.
 */
const ARTICLE = 'api::article.article';
const VARIANT = 'plugin::personalization.variant';
const CHUNK = 1_000;

/** Every variant record of the article type, and the published `en` title of every article document. */
async function articleState(strapi) {
  const records = await strapi.db.query(VARIANT).findMany({ where: { contentType: ARTICLE }, orderBy: [{ priority: 'asc' }, { id: 'asc' }] });
  const titles = {};
  for (let offset = 0; ; offset += CHUNK) {
    const rows = await strapi.db
      .query(ARTICLE)
      .findMany({ select: ['documentId', 'title'], where: { publishedAt: { $notNull: true }, locale: 'en' }, orderBy: { id: 'asc' }, offset, limit: CHUNK });
    for (const row of rows) titles[row.documentId] = row.title;
    if (rows.length < CHUNK) break;
  }
  return { records, titles };
}

/** An author (no Draft & Publish) linked to the published articles `documentIds`. */
async function createAuthor(strapi, { name, documentIds }) {
  const created = await strapi
    .documents('api::author.author')
    .create({ data: { name, articles: documentIds.map((documentId) => ({ documentId, locale: 'en' })) } });
  return created.documentId;
}

module.exports = { articleState, createAuthor };
