import type { LimitName } from '../services/rate-limits';

/** Public consent endpoints under /api/personalization; consent travels in headers only. */
const rateLimited = (limit: LimitName) => ({ name: 'plugin::personalization.rate-limit', config: { limit } });

export default {
  type: 'content-api',
  routes: [
    {
      method: 'GET',
      path: '/purposes',
      handler: 'consent.purposes',
      config: { auth: false },
    },
    {
      method: 'POST',
      path: '/consent',
      handler: 'consent.grant',
      config: { auth: false, middlewares: [rateLimited('consent')] },
    },
    {
      method: 'GET',
      path: '/consent',
      handler: 'consent.inspect',
      config: { auth: false },
    },
    {
      method: 'DELETE',
      path: '/consent',
      handler: 'consent.withdraw',
      config: { auth: false },
    },
    {
      method: 'POST',
      path: '/events',
      handler: 'events.track',
      config: { auth: false, middlewares: [rateLimited('events')] },
    },
    {
      method: 'GET',
      path: '/explain/:contentType/:documentId',
      handler: 'explain.explain',
      config: { auth: false },
    },
  ],
};
