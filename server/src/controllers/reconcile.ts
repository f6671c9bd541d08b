import type { Core } from '@strapi/strapi';
import { answeringInputErrors } from '../errors';
import { getService } from '../get-service';
import type { KoaContext } from '../koa-context';

/** Admin: variant records set aside because their entries are no longer variants, and what to do with them. */
const reconcile = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => getService(strapi, 'reconcile');

  return {
    async report(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().report() }));
    },
    async run(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().run() }));
    },
    async relink(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().relink(ctx.params.id) }));
    },
    async relinkAll(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().relinkAll() }));
    },
    async dismiss(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().dismiss(ctx.params.id) }));
    },
    async release(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({
        data: await service().release(ctx.params.contentType, ctx.params.documentId),
      }));
    },
  };
};

export default reconcile;
