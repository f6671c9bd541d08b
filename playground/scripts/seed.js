'use strict';

/**
 * Example content for the demo. Idempotent: each part is added only when missing, so a second
 * start adds nothing twice.
 */

const PUBLIC_ACTIONS = [
  'api::article.article.find',
  'api::article.article.findOne',
  'api::homepage.homepage.find',
  'api::author.author.find',
  'api::author.author.findOne',
];

async function ensureAdmin(strapi, { email, password }) {
  if (await strapi.admin.services.user.exists()) return false;
  const superAdmin = await strapi.admin.services.role.getSuperAdmin();
  await strapi.admin.services.user.create({
    email,
    firstname: 'Demo',
    lastname: 'Editor',
    password,
    isActive: true,
    registrationToken: null,
    roles: [superAdmin.id],
  });
  return true;
}

async function ensureLocale(strapi, code, name) {
  const locales = strapi.plugin('i18n').service('locales');
  if (!(await locales.findByCode(code))) await locales.create({ code, name });
}

async function ensurePublicPermissions(strapi) {
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'public' } });
  const permissions = strapi.db.query('plugin::users-permissions.permission');
  for (const action of PUBLIC_ACTIONS) {
    const existing = await permissions.findOne({ where: { action, role: role.id } });
    if (!existing) await permissions.create({ data: { action, role: role.id } });
  }
}

const ARTICLES = [
  {
    en: {
      title: 'Five trails for a long weekend',
      slug: 'five-trails',
      summary: 'Where to walk when the days get shorter.',
      body: 'Our pick of routes for every fitness level, with the huts that stay open late in the season.',
      cta: { label: 'See all trails', url: '/trails' },
    },
    de: {
      title: 'Fünf Wege für ein langes Wochenende',
      slug: 'fuenf-wege',
      summary: 'Wohin wandern, wenn die Tage kürzer werden.',
      body: 'Unsere Auswahl an Routen für jede Kondition, mit Hütten, die lange geöffnet haben.',
      cta: { label: 'Alle Wege', url: '/de/wege' },
    },
  },
  {
    en: {
      title: 'How we choose what you see',
      slug: 'how-we-choose',
      summary: 'Personalization only with your consent.',
      body: 'Everyone sees the same page unless they decide to share an interest with us.',
    },
    de: {
      title: 'Wie wir auswählen, was Sie sehen',
      slug: 'wie-wir-auswaehlen',
      summary: 'Personalisierung nur mit Ihrer Einwilligung.',
      body: 'Alle sehen dieselbe Seite, es sei denn, sie teilen uns ein Interesse mit.',
    },
  },
  {
    en: {
      title: 'A reading list for winter evenings',
      slug: 'winter-reading',
      summary: 'Books our editors keep coming back to.',
      body: 'Twelve titles, from field guides to novels set in the mountains.',
    },
  },
];

async function ensureContent(strapi) {
  const articles = strapi.documents('api::article.article');
  if ((await articles.count({ locale: '*' })) > 0) return [];

  const author = await strapi.documents('api::author.author').create({ data: { name: 'Ada Park' } });
  const created = [];
  for (const article of ARTICLES) {
    const base = await articles.create({
      locale: 'en',
      data: { ...article.en, author: author.documentId },
    });
    await articles.publish({ documentId: base.documentId, locale: 'en' });
    if (article.de) {
      await articles.update({ documentId: base.documentId, locale: 'de', data: article.de });
      await articles.publish({ documentId: base.documentId, locale: 'de' });
    }
    created.push(base);
  }

  const homepage = strapi.documents('api::homepage.homepage');
  const home = await homepage.create({
    locale: 'en',
    data: {
      headline: 'Stories for the season',
      intro: 'Fresh routes, reading and ideas, the same for everyone.',
      featured: created[0].documentId,
    },
  });
  await homepage.publish({ documentId: home.documentId, locale: 'en' });
  return created;
}

async function seed(strapi, { adminEmail, adminPassword }) {
  const adminCreated = await ensureAdmin(strapi, { email: adminEmail, password: adminPassword });
  await ensureLocale(strapi, 'de', 'German (de)');
  await ensurePublicPermissions(strapi);
  const articles = await ensureContent(strapi);
  return { adminCreated, articlesCreated: articles.length };
}

module.exports = { seed };
