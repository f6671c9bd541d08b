'use strict';

const path = require('path');

/**
 * The plugin resolves to the package root (the built `dist` through its exports map) unless
 * PERSONALIZATION_PLUGIN_PATH points elsewhere: the tests point it at a folder that loads the
 * TypeScript sources. PERSONALIZATION_CONFIG (JSON) is merged over the config below.
 */
module.exports = ({ env }) => ({
  personalization: {
    enabled: true,
    resolve: env('PERSONALIZATION_PLUGIN_PATH', path.resolve(__dirname, '..', '..')),
    config: {
      tokenSecret: env('PERSONALIZATION_TOKEN_SECRET', 'playground-only-secret-change-me-0123456789'),
      timeZone: 'Europe/Berlin',
      attributes: {
        interests: { type: 'string[]', source: 'token', purpose: 'personalization' },
        ageGroup: { type: 'string', source: 'token', purpose: 'personalization' },
        country: { type: 'string', source: 'token', purpose: 'personalization' },
        device: { type: 'string', source: 'context', purpose: 'functional' },
        utmCampaign: { type: 'string', source: 'context', purpose: 'marketing' },
      },
      ...JSON.parse(env('PERSONALIZATION_CONFIG', '{}')),
    },
  },
  'users-permissions': {
    config: { jwtSecret: env('JWT_SECRET', 'playground-users-permissions-jwt-secret') },
  },
  graphql: {
    enabled: true,
    config: { landingPage: false, defaultLimit: 25, maxLimit: 100, depthLimit: 10 },
  },
});
