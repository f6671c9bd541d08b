import type { Core } from '@strapi/strapi';
import type { CoherenceService } from './services/coherence';
import type { ExperimentCounts } from './services/experiment-counts';
import type { RateLimitsService } from './services/rate-limits';
import type { ServedCountsService } from './services/served-counts';

const destroy = async ({ strapi }: { strapi: Core.Strapi }) => {
  const plugin = strapi.plugin('personalization');
  // Buffered experiment and served counts are written while the database is still there.
  await (plugin.service('experiment-counts') as ExperimentCounts).stop();
  await (plugin.service('served-counts') as ServedCountsService).stop();
  await (plugin.service('coherence') as CoherenceService).stop();
  await (plugin.service('rate-limits') as RateLimitsService).stop();
};

export default destroy;
