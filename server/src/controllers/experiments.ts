import type { Core } from '@strapi/strapi';
import { answeringInputErrors } from '../errors';
import type { ExperimentsService } from '../services/experiments';

const experiments = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.plugin('personalization').service('experiments') as ExperimentsService;

  return {
    async list(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().list(ctx.query ?? {}) }));
    },

    async findOne(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().findOne(ctx.params.id) }));
    },

    async create(ctx: any) {
      await answeringInputErrors(ctx, async () => {
        const data = await service().create(ctx.request.body);
        ctx.status = 201;
        return { data };
      });
    },

    async update(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().update(ctx.params.id, ctx.request.body) }));
    },

    async remove(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().remove(ctx.params.id) }));
    },

    async start(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().start(ctx.params.id) }));
    },

    async stop(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().stop(ctx.params.id) }));
    },

    async promote(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().promote(ctx.params.id, ctx.request.body) }));
    },

    async results(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().results(ctx.params.id) }));
    },
  };
};

export default experiments;
