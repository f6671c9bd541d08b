import { PersonalizationError, type PersonalizationClient } from 'strapi-plugin-personalization/client';

export async function accept(personalization: PersonalizationClient, interests: string[]) {
  try {
    await personalization.grant({ purposes: ['personalization'], attributes: { interests } });
    return { granted: true };
  } catch (error) {
    // Too many consent requests from this address: keep the generic page, offer a retry later.
    if (error instanceof PersonalizationError && error.status === 429) return { granted: false, retryAfter: error.retryAfter };
    throw error;
  }
}
