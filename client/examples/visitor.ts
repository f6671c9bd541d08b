import { createClient } from 'strapi-plugin-personalization/client';

export async function visit(strapiUrl: string) {
  const personalization = createClient({ baseUrl: strapiUrl }); // in a browser the token lives in a first-party cookie
  const purposes = await personalization.purposes(); // what a consent banner asks, and what each purpose unlocks
  await personalization.grant({ purposes: ['personalization'], attributes: { interests: ['outdoor'] } });
  const { data } = await personalization.fetch('/api/articles').then((response) => response.json());
  const why = await personalization.explain('api::article.article', data[0].documentId); // "Why am I seeing this?"
  const held = await personalization.current(); // "What do you know about me?"
  await personalization.withdraw(); // generic content from the next request on
  return { purposes, articles: data, why, held };
}
