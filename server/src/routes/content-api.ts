import type { LimitName } from '../services/rate-limits';
import { PUBLIC_ROUTES } from '../../../shared/contracts';

/** Public consent endpoints under /api/personalization; consent travels in headers only. */
const rateLimited = (limit: LimitName) => ({ name: 'plugin::personalization.rate-limit', config: { limit } });

export default {
  type: 'content-api',
  routes: [
    {
      ...PUBLIC_ROUTES.purposes,
      handler: 'consent.purposes',
      config: { auth: false },
    },
    {
      ...PUBLIC_ROUTES.grant,
      handler: 'consent.grant',
      config: { auth: false, middlewares: [rateLimited('consent')] },
    },
    {
      ...PUBLIC_ROUTES.inspect,
      handler: 'consent.inspect',
      config: { auth: false },
    },
    {
      ...PUBLIC_ROUTES.withdraw,
      handler: 'consent.withdraw',
      config: { auth: false },
    },
    {
      ...PUBLIC_ROUTES.track,
      handler: 'events.track',
      config: { auth: false, middlewares: [rateLimited('events')] },
    },
    {
      ...PUBLIC_ROUTES.explain,
      handler: 'explain.explain',
      config: { auth: false },
    },
  ],
};
