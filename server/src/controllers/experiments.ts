import type { Core } from '@strapi/strapi';
import { answeringInputErrors } from '../errors';
import { getService } from '../get-service';
import type { KoaContext } from '../koa-context';
import { resourceActions } from './resource-actions';

/** Experiments: the resource (list filtered by `contentType` and `baseDocumentId`), its lifecycle and its results. */
const experiments = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => getService(strapi, 'experiments');

  return {
    ...resourceActions(service),

    async start(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().start(ctx.params.id) }));
    },

    async stop(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().stop(ctx.params.id) }));
    },

    async promote(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().promote(ctx.params.id, ctx.request.body) }));
    },

    async results(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().results(ctx.params.id) }));
    },
  };
};

export default experiments;
