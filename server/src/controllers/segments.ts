import type { Core } from '@strapi/strapi';
import { answeringInputErrors } from '../errors';
import type { SegmentsService } from '../services/segments';
import type { KoaContext } from '../koa-context';

const segments = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.plugin('personalization').service('segments') as SegmentsService;

  return {
    async list(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().list() }));
    },

    async findOne(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().findOne(ctx.params.id) }));
    },

    async create(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => {
        const data = await service().create(ctx.request.body);
        ctx.status = 201;
        return { data };
      });
    },

    async update(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().update(ctx.params.id, ctx.request.body) }));
    },

    async remove(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().remove(ctx.params.id) }));
    },
  };
};

export default segments;
