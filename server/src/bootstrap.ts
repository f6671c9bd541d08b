import type { Core } from '@strapi/strapi';
import { getService } from './get-service';
import { settings } from './settings';
import { RBAC_ACTIONS } from './permissions';
import { schedulePurge } from './services/consent-records';

const bootstrap = async ({ strapi }: { strapi: Core.Strapi }) => {
  const { config } = settings(strapi);
  if (!config.tokenSecret && process.env.NODE_ENV === 'production') {
    throw new Error(
      'Invalid "personalization" plugin config: tokenSecret is required in production ' +
        '(set it, e.g. from the PERSONALIZATION_TOKEN_SECRET environment variable)'
    );
  }
  await strapi.admin.services.permission.actionProvider.registerMany(RBAC_ACTIONS);
  const coherence = getService(strapi, 'coherence');
  const index = getService(strapi, 'variant-index');
  const experiments = getService(strapi, 'experiment-index');
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
  await getService(strapi, 'consent').initialize();
  await getService(strapi, 'rate-limits').start();
  await schedulePurge(strapi);
  // Before the first index build: a record whose entry is no longer a variant is never served or acted on.
  const reconciled = await getService(strapi, 'reconcile').run({ announce: false });
  // Other instances still running (a rolling restart) rebuild too when records were set aside.
  await (reconciled.detachedNow.length > 0 ? index.rebuild() : index.refresh());
  await experiments.refresh();
  getService(strapi, 'experiment-counts').start();
  getService(strapi, 'served-counts').start();
};

export default bootstrap;
