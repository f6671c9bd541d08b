import type { Core } from '@strapi/strapi';
import { getService } from '../get-service';
import type { KoaContext } from '../koa-context';
import type { LimitName } from '../services/rate-limits';

/**
 * Route middleware of POST /consent and POST /events: every attempt counts against the client's
 * limit, valid or not; over it, a 429 with `Retry-After` and the controller never runs.
 * Routes name it as `{ name: 'plugin::personalization.rate-limit', config: { limit } }`.
 */
const rateLimit =
  (config: { limit: LimitName }, { strapi }: { strapi: Core.Strapi }) =>
  async (ctx: KoaContext, next: () => Promise<unknown>): Promise<unknown> => {
    if (!(await getService(strapi, 'rate-limits').admit(ctx, config.limit))) return undefined;
    return next();
  };

export default rateLimit;
