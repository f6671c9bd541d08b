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
      highlights: created.map((article) => article.documentId),
      sections: [
        {
          __component: 'blocks.featured-articles',
          title: 'Read this season',
          articles: created.map((article) => article.documentId),
        },
      ],
    },
  });
  await homepage.publish({ documentId: home.documentId, locale: 'en' });
  return created;
}

const DAY = 24 * 60 * 60 * 1000;

/** The variants that show the idea on the first article: one campaign for all, two audiences. */
function exampleVariants(now) {
  return [
    {
      settings: {
        name: 'Winter weekend campaign',
        key: 'winter-campaign',
        kind: 'mass',
        startsAt: new Date(now - 7 * DAY).toISOString(),
        endsAt: new Date(now + 60 * DAY).toISOString(),
      },
      content: {
        en: { title: 'Winter weekend: five trails with huts that stay open', summary: 'Our campaign pick while the season lasts.' },
        de: { title: 'Winterwochenende: fünf Wege mit offenen Hütten', summary: 'Unsere Kampagne, solange die Saison dauert.' },
      },
    },
    {
      settings: {
        name: 'Outdoor fans',
        key: 'outdoor',
        kind: 'targeted',
        audience: { contains: [{ var: 'interests' }, 'outdoor'] },
      },
      content: {
        en: { title: 'Five trails for you: longer routes, fewer crowds', summary: 'Because you told us you love the outdoors.' },
      },
    },
    {
      settings: {
        name: 'Young adults',
        key: 'age-18-24',
        kind: 'targeted',
        audience: { '==': [{ var: 'ageGroup' }, '18-24'] },
      },
      content: {
        en: { title: 'Five trails you can reach by train and do in a day', summary: 'Cheap, quick and no car needed.' },
      },
    },
  ];
}

async function ensureVariants(strapi, base) {
  const variants = strapi.plugin('personalization').service('variants');
  const articles = strapi.documents('api::article.article');
  for (const example of exampleVariants(Date.now())) {
    const record = await variants.create({
      contentType: 'api::article.article',
      baseDocumentId: base.documentId,
      ...example.settings,
    });
    for (const [locale, data] of Object.entries(example.content)) {
      await articles.update({ documentId: record.variantDocumentId, locale, data });
      await articles.publish({ documentId: record.variantDocumentId, locale });
    }
  }
}

async function seed(strapi, { adminEmail, adminPassword }) {
  const adminCreated = await ensureAdmin(strapi, { email: adminEmail, password: adminPassword });
  await ensureLocale(strapi, 'de', 'German (de)');
  await ensurePublicPermissions(strapi);
  const articles = await ensureContent(strapi);
  if (articles.length > 0) await ensureVariants(strapi, articles[0]);
  return { adminCreated, articlesCreated: articles.length };
}

module.exports = { seed };
