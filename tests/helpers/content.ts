/**
 * The setup integration tests share: published entries, variants made through the admin API,
 * and consent tokens. Each takes the running Strapi, so a test file keeps its own instance.
 */
import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { adminToken, grantPublic, startStrapi, type StartOptions } from './strapi';

export const ARTICLE = 'api::article.article';

/** Creates an entry in one locale and publishes it; returns its documentId. */
export async function publishedDocument(
  strapi: Core.Strapi,
  uid: string,
  data: Record<string, unknown>,
  locale = 'en'
): Promise<string> {
  const created = await strapi.documents(uid as any).create({ locale, data } as any);
  await strapi.documents(uid as any).publish({ documentId: created.documentId, locale } as any);
  return created.documentId;
}

/**
 * Starts Strapi for a test file with public reads of articles, an admin token, and the published
 * article "Generic" (slug `generic`) that most tests give variants to.
 */
export async function startWithGenericArticle(options?: StartOptions): Promise<{ strapi: Core.Strapi; admin: string; baseId: string }> {
  const strapi = await startStrapi(options);
  await grantPublic(strapi, [`${ARTICLE}.find`, `${ARTICLE}.findOne`]);
  const admin = await adminToken(strapi);
  const baseId = await publishedDocument(strapi, ARTICLE, { title: 'Generic', slug: 'generic' });
  return { strapi, admin, baseId };
}

/** Starts Strapi for a test file with an admin token and a second locale, German (`de`). */
export async function startWithGerman(options?: StartOptions): Promise<{ strapi: Core.Strapi; admin: string }> {
  const strapi = await startStrapi(options);
  const admin = await adminToken(strapi);
  await strapi.plugin('i18n').service('locales').create({ code: 'de', name: 'German (de)' });
  return { strapi, admin };
}

/** A consent token, signed by the plugin's own issuer as the consent endpoint would sign it. */
export async function consentToken(strapi: Core.Strapi, purposes: string[], attributes: Record<string, unknown> = {}): Promise<string> {
  return (await strapi.plugin('personalization').service('consent').issuer().issue({ purposes, attributes })).token;
}

/** Creates a variant record through the admin API and expects a 201; returns the record. */
export async function postVariant(strapi: Core.Strapi, admin: string, body: Record<string, unknown>) {
  const response = await request(strapi.server.httpServer)
    .post('/personalization/variants')
    .set('Authorization', `Bearer ${admin}`)
    .send(body)
    .expect(201);
  return response.body.data;
}

/** Publishes a variant's document in each locale, first giving it `data` there when there is some. */
export async function publishVariantDocument(
  strapi: Core.Strapi,
  uid: string,
  documentId: string,
  { data, locales = ['en'] }: { data?: (locale: string) => Record<string, unknown>; locales?: string[] } = {}
): Promise<void> {
  for (const locale of locales) {
    if (data) await strapi.documents(uid as any).update({ documentId, locale, data: data(locale) } as any);
    await strapi.documents(uid as any).publish({ documentId, locale } as any);
  }
}

/** Creates an entry with its data in each locale (the first locale creates it) and publishes each; returns its documentId. */
export async function publishedInLocales(strapi: Core.Strapi, uid: string, byLocale: Record<string, Record<string, unknown>>): Promise<string> {
  const [[first, data], ...rest] = Object.entries(byLocale);
  const documentId = await publishedDocument(strapi, uid, data, first);
  for (const [locale, localized] of rest) await publishVariantDocument(strapi, uid, documentId, { data: () => localized, locales: [locale] });
  return documentId;
}

/** Deletes every variant of one base entry through the admin API. */
export async function removeAllVariants(strapi: Core.Strapi, admin: string, uid: string, baseId: string): Promise<void> {
  const http = () => request(strapi.server.httpServer);
  const list = await http().get(`/personalization/variants/${uid}/${baseId}`).set('Authorization', `Bearer ${admin}`);
  for (const record of list.body.data) {
    await http().delete(`/personalization/variants/${record.documentId}`).set('Authorization', `Bearer ${admin}`).expect(200);
  }
}
