import type { Core } from '@strapi/strapi';
import { documentMiddleware } from './document-middleware';
import { personalizeLoads } from './graphql-loads';
import { hideVariantRows } from './hide-variant-rows';
import { settleHeaders } from './labels';
import { originOf } from './origin';
import { personalizer } from './personalize';
import { linksOf, modelsReaching } from './links';
import { relatedEntries } from './related-entries';

export { LABEL } from './labels';

/**
 * Delivery on the content API, one mechanism a file:
 * - `hide-variant-rows`: variant rows never leave the database layer on the content API;
 * - `document-middleware`: entries are swapped for the chosen variants and labelled (`personalize`),
 *   with the entries they reach through populate (`related-entries`, along the attributes `links`
 *   finds in the schema);
 * - `graphql-loads`: the same for GraphQL's nested fields;
 * - `content-api-writes`: what the content API may not write;
 * - `labels`: labels, `Vary`, `Cache-Control` and `X-Personalization-Key`; nested labels are
 *   written out along the same `links`.
 * Types that neither opted in nor reach one that did cost one Set lookup per call.
 */
export function registerDelivery(strapi: Core.Strapi, enabled: ReadonlySet<string>): void {
  if (enabled.size === 0) return;
  const reaching = modelsReaching(strapi, enabled);
  const origin = originOf(strapi);
  const personalize = personalizer(strapi);
  const links = linksOf(strapi, enabled, reaching);
  const personalizeRelated = relatedEntries(links, enabled, personalize);

  settleHeaders(strapi, links);
  hideVariantRows(strapi, enabled, reaching, origin);
  strapi.documents.use(documentMiddleware(strapi, enabled, reaching, origin, personalize, personalizeRelated) as never);
  personalizeLoads(strapi, enabled, reaching, origin, personalize, personalizeRelated);
}
