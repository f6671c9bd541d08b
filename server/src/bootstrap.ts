import type { Core } from '@strapi/strapi';
import { getService } from './get-service';
import { settings } from './settings';
import { RBAC_ACTIONS } from './permissions';
import type { CoherenceService } from './services/coherence';
import type { ConsentService } from './services/consent';
import type { ExperimentCounts } from './services/experiment-counts';
import type { ServedCountsService } from './services/served-counts';
import type { ExperimentIndex } from './services/experiment-index';
import type { RateLimitsService } from './services/rate-limits';
import type { ReconcileService } from './services/reconcile';
import { schedulePurge } from './services/consent-records';
import type { VariantIndex } from './services/variant-index';

const bootstrap = async ({ strapi }: { strapi: Core.Strapi }) => {
  const { config } = settings(strapi);
  if (!config.tokenSecret && process.env.NODE_ENV === 'production') {
    throw new Error(
      'Invalid "personalization" plugin config: tokenSecret is required in production ' +
        '(set it, e.g. from the PERSONALIZATION_TOKEN_SECRET environment variable)'
    );
  }
  await strapi.admin.services.permission.actionProvider.registerMany(RBAC_ACTIONS);
  const plugin = strapi.plugin('personalization');
  const coherence = plugin.service('coherence') as CoherenceService;
  const consent = plugin.service('consent') as ConsentService;
  const index = plugin.service('variant-index') as VariantIndex;
  const experiments = plugin.service('experiment-index') as ExperimentIndex;
  // Experiments change what a base serves: they travel with the variants' announcement.
  coherence.on('variants', {
    reload: async (scope) => {
      await index.refresh(scope);
      // Experiments read segments; the variants of one base are not theirs to change.
      if (!scope || 'segment' in scope) await experiments.refresh();
    },
  });
  const revocations = getService(strapi, 'revocations');
  coherence.on('revocations', {
    reload: (since) => revocations.load(since),
    apply: (change) => revocations.mark(change.recordId, change.expiresAt),
  });
  // Listening starts before the first load: a change another instance makes meanwhile is not lost.
  await coherence.start();
  await consent.initialize();
  await (plugin.service('rate-limits') as RateLimitsService).start();
  await schedulePurge(strapi);
  // Before the first index build: a record whose entry is no longer a variant is never served or acted on.
  const reconciled = await (plugin.service('reconcile') as ReconcileService).run({ announce: false });
  // Other instances still running (a rolling restart) rebuild too when records were set aside.
  await (reconciled.detachedNow.length > 0 ? index.rebuild() : index.refresh());
  await experiments.refresh();
  (plugin.service('experiment-counts') as ExperimentCounts).start();
  (plugin.service('served-counts') as ServedCountsService).start();
};

export default bootstrap;
