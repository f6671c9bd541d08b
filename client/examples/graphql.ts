import type { PersonalizationClient } from 'strapi-plugin-personalization/client';

export async function articleTitles(personalization: PersonalizationClient) {
  const response = await personalization.fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: '{ articles { documentId title personalization { variant kind reason } } }' }),
  });
  const { data } = await response.json();
  return data.articles;
}
