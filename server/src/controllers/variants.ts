import type { Core } from '@strapi/strapi';
import { answeringInputErrors } from '../errors';
import { isPersonalizable } from '../enabled-types';
import type { VariantsService } from '../services/variants';

const variants = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => strapi.plugin('personalization').service('variants') as VariantsService;

  /** Creating a variant writes a new document, so it also needs Content Manager create rights on the type. */
  function canCreateEntries(ctx: any, uid: string): boolean {
    const ability = ctx.state.userAbility;
    return Boolean(ability?.can('plugin::content-manager.explorer.create', uid));
  }

  return {
    async list(ctx: any) {
      await answeringInputErrors(ctx, async () => ({
        data: await service().list(ctx.params.contentType, ctx.params.baseDocumentId),
      }));
    },

    async create(ctx: any) {
      const uid = ctx.request.body?.contentType;
      // Types that cannot have variants get the service's 400 naming contentType, not a 403.
      const personalizable = typeof uid === 'string' && isPersonalizable((strapi.contentTypes as Record<string, any>)[uid]);
      if (personalizable && !canCreateEntries(ctx, uid)) {
        return ctx.forbidden(`creating a variant needs permission to create ${uid} entries`);
      }
      await answeringInputErrors(ctx, async () => {
        ctx.status = 201;
        return { data: await service().create(ctx.request.body) };
      });
    },

    async update(ctx: any) {
      await answeringInputErrors(ctx, async () => ({
        data: await service().update(ctx.params.id, ctx.request.body),
      }));
    },

    async reorder(ctx: any) {
      await answeringInputErrors(ctx, async () => ({
        data: await service().reorder(ctx.params.contentType, ctx.params.baseDocumentId, ctx.request.body),
      }));
    },

    async remove(ctx: any) {
      await answeringInputErrors(ctx, async () => ({ data: await service().remove(ctx.params.id) }));
    },
  };
};

export default variants;
