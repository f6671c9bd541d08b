import type { Core } from '@strapi/strapi';
import { answeringInputErrors } from '../errors';
import type { SegmentsService } from '../services/segments';

const segments = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.plugin('personalization').service('segments') as SegmentsService;

  return {
    async list(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().list() }));
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
  };
};

export default segments;
