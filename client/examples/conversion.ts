import type { PersonalizationClient } from 'strapi-plugin-personalization/client';

export async function signedUp(personalization: PersonalizationClient) {
  // One conversion toward the goal `signup` of every running experiment the visitor is enrolled in.
  const { counted, reason } = await personalization.track('signup');
  // Not counted without consent to measurement ('consent-missing'), outside any experiment ('not-enrolled'),
  // or for a bot or a prefetch ('not-counted'): nothing to show the visitor either way.
  return { counted, reason };
}
