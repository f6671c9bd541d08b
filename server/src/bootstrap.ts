import type { Core } from '@strapi/strapi';
import { settings } from './settings';
import { RBAC_ACTIONS } from './permissions';
import type { ConsentService } from './services/consent';
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
  await (plugin.service('consent') as ConsentService).initialize();
  await schedulePurge(strapi);
  await (plugin.service('variant-index') as VariantIndex).rebuild();
};

export default bootstrap;
