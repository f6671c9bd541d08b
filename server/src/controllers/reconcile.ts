import type { Core } from '@strapi/strapi';
import { answeringInputErrors } from '../errors';
import type { ReconcileService } from '../services/reconcile';

/** Admin: variant records set aside because their entries are no longer variants, and what to do with them. */
const reconcile = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.plugin('personalization').service('reconcile') as ReconcileService;

  return {
    async report(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().report() }));
    },
    async run(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().run() }));
    },
    async relink(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().relink(ctx.params.id) }));
    },
    async relinkAll(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().relinkAll() }));
    },
    async dismiss(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().dismiss(ctx.params.id) }));
    },
    async release(ctx: any) {
      await answeringInputErrors(ctx, async () => ({
        data: await service().release(ctx.params.contentType, ctx.params.documentId),
      }));
    },
  };
};

export default reconcile;
