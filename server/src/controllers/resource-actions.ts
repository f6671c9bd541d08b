import { answeringInputErrors } from '../errors';
import type { KoaContext } from '../koa-context';

/** What an admin resource's service offers: its records by `:id`, bodies parsed by the service. */
export interface ResourceService {
  list(query: unknown): Promise<unknown>;
  findOne(id: string): Promise<unknown>;
  create(body: unknown): Promise<unknown>;
  update(id: string, body: unknown): Promise<unknown>;
  remove(id: string): Promise<unknown>;
}

/** list, findOne, create (201), update and remove of one admin resource, each answering `{ data }` from its service. */
export function resourceActions(service: () => ResourceService) {
  return {
    async list(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({ data: await service().list(ctx.query ?? {}) }));
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
}
