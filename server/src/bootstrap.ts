import type { Core } from '@strapi/strapi';
import { settings } from './settings';
import { RBAC_ACTIONS } from './permissions';

const bootstrap = async ({ strapi }: { strapi: Core.Strapi }) => {
  const { config } = settings(strapi);
  if (!config.tokenSecret && process.env.NODE_ENV === 'production') {
    throw new Error(
      'Invalid "personalization" plugin config: tokenSecret is required in production ' +
        '(set it, e.g. from the PERSONALIZATION_TOKEN_SECRET environment variable)'
    );
  }
  await strapi.admin.services.permission.actionProvider.registerMany(RBAC_ACTIONS);
};

export default bootstrap;
