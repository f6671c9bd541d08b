/**
 * The content the fuzzer aims at, made inside the Strapi process (tests/helpers/instance-main.js
 * `call`): entries reached through relations, components and a dynamic zone, variants of every
 * kind, each carrying a marker text the checks look for, and consent tokens.
 */
import type { Core } from '@strapi/strapi';

const ARTICLE = 'api::article.article';
const AUTHOR = 'api::author.author';
const HOMEPAGE = 'api::homepage.homepage';

/** Texts that appear only in one kind of entry, so a response can be searched for them. */
export const MARKERS = {
  /** A published targeted variant: only for the targeted token, and never publicly cacheable. */
  targeted: 'FZTARGETED',
  /** A published mass variant for everyone. */
  mass: 'FZMASS',
  /** A published mass variant that requires `functional`: private, no-store. */
  purposeMass: 'FZPURPOSEMASS',
  /** A variant never published: never on the content API. */
  draftVariant: 'FZDRAFTVARIANT',
  /** A base entry never published: only when the request asks for drafts. */
  draftBase: 'FZDRAFTBASE',
} as const;

export interface Fixture {
  articles: string[];
  authors: string[];
  homepage: string;
  variantIds: string[];
  /** Variant record and experiment documentIds (admin routes) of the fixture: the fuzzer never changes or deletes them. */
  recordIds: string[];
  /** Draft experiments: the first is the fixture's own (in recordIds), the fuzzer may start, stop, promote or delete the second. */
  experimentIds: string[];
  tokens: {
    /** Grants personalization and functional, with interests [outdoor]: gets the targeted variant. */
    targeted: string;
    /** Grants functional only: gets the purpose-bound mass variant. */
    functional: string;
    /** Tokens the fuzzer may withdraw. */
    revocable: string[];
  };
}

async function published(strapi: Core.Strapi, uid: string, data: Record<string, unknown>, locale?: string): Promise<string> {
  const created = await strapi.documents(uid as any).create({ ...(locale ? { locale } : {}), data } as any);
  await strapi.documents(uid as any).publish({ documentId: created.documentId, ...(locale ? { locale } : {}) } as any);
  return created.documentId;
}

async function variant(
  strapi: Core.Strapi,
  body: Record<string, unknown>,
  title: string,
  publish: boolean
): Promise<{ variantDocumentId: string; documentId: string }> {
  const record = await strapi.plugin('personalization').service('variants').create(body);
  const documentId = record.variantDocumentId;
  await strapi.documents(ARTICLE as any).update({ documentId, locale: 'en', data: { title, summary: `${title} summary` } } as any);
  if (publish) await strapi.documents(ARTICLE as any).publish({ documentId, locale: 'en' } as any);
  return record;
}

/**
 * `plugin: false` makes the same entries in an app without the plugin (no variants, no tokens):
 * the reference a failing request is replayed on, to tell Strapi's own errors from the plugin's.
 */
export async function setUp(strapi: Core.Strapi, { plugin = true }: { plugin?: boolean } = {}): Promise<Fixture> {
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'public' } });
  const actions = [
    `${ARTICLE}.find`,
    `${ARTICLE}.findOne`,
    `${ARTICLE}.create`,
    `${ARTICLE}.update`,
    `${AUTHOR}.find`,
    `${AUTHOR}.findOne`,
    `${HOMEPAGE}.find`,
  ];
  for (const action of actions) {
    await strapi.db.query('plugin::users-permissions.permission').create({ data: { action, role: role.id } });
  }

  const ada = (await strapi.documents(AUTHOR as any).create({ data: { name: 'Ada' } } as any)).documentId;
  const bob = (await strapi.documents(AUTHOR as any).create({ data: { name: 'Bob' } } as any)).documentId;
  const trails = await published(strapi, ARTICLE, { title: 'Five trails', slug: 'five-trails', author: ada, cta: { label: 'Go' } }, 'en');
  const city = await published(strapi, ARTICLE, { title: 'City walks', slug: 'city-walks', author: bob, related: { articles: [trails] } }, 'en');
  const plain = await published(strapi, ARTICLE, { title: 'Plain entry', slug: 'plain-entry' }, 'en');
  const draftBase = (await strapi.documents(ARTICLE as any).create({ locale: 'en', data: { title: MARKERS.draftBase, author: ada } } as any)).documentId;

  if (!plugin) {
    const homepage = await published(strapi, HOMEPAGE, { headline: 'Welcome', featured: trails, highlights: [trails, city, draftBase] }, 'en');
    return { articles: [trails, city, plain, draftBase], authors: [ada, bob], homepage, variantIds: [], recordIds: [], experimentIds: [], tokens: { targeted: '', functional: '', revocable: [] } };
  }

  const outdoor = await variant(
    strapi,
    { contentType: ARTICLE, baseDocumentId: trails, name: 'Outdoor', key: 'outdoor', kind: 'targeted', audience: { in: ['outdoor', { var: 'interests' }] } },
    `${MARKERS.targeted} trails for you`,
    true
  );
  const unpublished = await variant(strapi, { contentType: ARTICLE, baseDocumentId: trails, name: 'Unpublished', key: 'unpublished', kind: 'mass' }, MARKERS.draftVariant, false);
  const winter = await variant(strapi, { contentType: ARTICLE, baseDocumentId: trails, name: 'Winter', key: 'winter', kind: 'mass' }, `${MARKERS.mass} winter`, true);
  const functional = await variant(
    strapi,
    { contentType: ARTICLE, baseDocumentId: city, name: 'Functional', key: 'functional', kind: 'mass', requiredPurposes: ['functional'] },
    `${MARKERS.purposeMass} city`,
    true
  );
  // Unpublished and placed first: a draft must lose to the published mass variant behind it.
  await strapi.plugin('personalization').service('variants').reorder(ARTICLE, trails, { keys: ['unpublished', 'outdoor', 'winter'] });

  const homepage = await published(
    strapi,
    HOMEPAGE,
    {
      headline: 'Welcome',
      featured: trails,
      highlights: [trails, city, draftBase],
      sections: [
        { __component: 'blocks.featured-articles', title: 'Weekend', articles: [trails, city] },
        { __component: 'shared.cta', label: 'Subscribe' },
      ],
    },
    'en'
  );

  // Drafts: delivery is as without them until the fuzzer starts the second one.
  const experiments = strapi.plugin('personalization').service('experiments');
  const arms = [
    { key: 'control', variant: null, weight: 0.5 },
    { key: 'functional', variant: 'functional', weight: 0.5 },
  ];
  const experimentIds: string[] = [];
  for (const key of ['kept', 'playground']) {
    experimentIds.push((await experiments.create({ contentType: ARTICLE, baseDocumentId: city, key, name: key, arms, goals: ['signup'] })).documentId);
  }

  const issuer = strapi.plugin('personalization').service('consent').issuer();
  const issue = async (purposes: string[], attributes: Record<string, unknown> = {}) => (await issuer.issue({ purposes, attributes })).token as string;
  const revocable: string[] = [];
  for (let i = 0; i < 20; i += 1) revocable.push(await issue(['personalization'], { interests: ['city'] }));

  return {
    articles: [trails, city, plain, draftBase],
    authors: [ada, bob],
    homepage,
    variantIds: [outdoor, unpublished, winter, functional].map((record) => record.variantDocumentId),
    recordIds: [...[outdoor, unpublished, winter, functional].map((record) => record.documentId), experimentIds[0]],
    experimentIds,
    tokens: {
      targeted: await issue(['personalization', 'functional'], { interests: ['outdoor'] }),
      functional: await issue(['functional']),
      revocable,
    },
  };
}

/** Every variant entry's documentId, the fuzzer's own admin writes included. */
export async function variantDocumentIds(strapi: Core.Strapi): Promise<string[]> {
  const rows = await strapi.db.query('plugin::personalization.variant').findMany({ select: ['variantDocumentId'] });
  const ids = new Set<string>(rows.map((row: any) => row.variantDocumentId));
  for (const table of ['articles', 'homepages']) {
    for (const row of await strapi.db.connection(table).whereNotNull('variant_of').distinct('document_id')) ids.add(row.document_id);
  }
  return [...ids];
}
