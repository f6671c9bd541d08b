import type { Core } from '@strapi/strapi';
import { answeringInputErrors } from '../errors';
import { getService } from '../get-service';
import type { KoaContext } from '../koa-context';

/** The admin's look at delivery: the content API's own answer (preview) and its decisions traced (simulate). */
const simulator = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** POST /preview: the content API's own answer for a visitor with this consent (services/preview.ts). */
  async preview(ctx: KoaContext) {
    ctx.set('Cache-Control', 'no-store');
    await answeringInputErrors(ctx, async () => ({ data: await getService(strapi, 'preview').preview(ctx.request.body) }));
  },

  /** POST /simulate: what delivery would serve to a stated visitor (services/decisions.ts). */
  async simulate(ctx: KoaContext) {
    await answeringInputErrors(ctx, async () => ({ data: await getService(strapi, 'decisions').simulate(ctx.request.body) }));
  },
});

export default simulator;
