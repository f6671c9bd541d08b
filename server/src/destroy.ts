import type { Core } from '@strapi/strapi';
import type { CoherenceService } from './services/coherence';

const destroy = async ({ strapi }: { strapi: Core.Strapi }) => {
  await (strapi.plugin('personalization').service('coherence') as CoherenceService).stop();
};

export default destroy;
