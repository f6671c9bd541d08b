import type { Core } from '@strapi/strapi';
import type { KoaContext } from '../koa-context';
import { answeringInputErrors } from '../errors';
import { contentTypeOf, isPersonalizable } from '../enabled-types';
import { getService } from '../get-service';

const VARIANT = 'plugin::personalization.variant';

type EntryAction = 'create' | 'update' | 'delete';
const DOING: Record<EntryAction, string> = { create: 'creating', update: 'changing', delete: 'deleting' };

const variants = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => getService(strapi, 'variants');
  const views = () => getService(strapi, 'variant-views');

  /**
   * A variant is an entry of its type: creating one writes a document, updating or ordering one
   * changes what the type's entries serve, deleting one deletes a document. Each needs the same
   * Content Manager right on the type as the entry itself.
   */
  function mayEditEntries(ctx: KoaContext, action: EntryAction, uid: string): boolean {
    const ability = ctx.state.userAbility;
    return Boolean(ability?.can(`plugin::content-manager.explorer.${action}`, uid));
  }

  /** The type of an existing variant, or null so the service answers its 404 (or its 400, for a NUL character PostgreSQL would refuse). */
  async function typeOfVariant(id: unknown): Promise<string | null> {
    if (typeof id !== 'string' || id.includes('\u0000')) return null;
    const record = await strapi.db.query(VARIANT).findOne({ select: ['contentType'], where: { documentId: id } });
    return record?.contentType ?? null;
  }

  function refuse(ctx: KoaContext, action: EntryAction, uid: string) {
    return ctx.forbidden(`${DOING[action]} a variant needs permission to ${action} ${uid} entries`);
  }

  return {
    async list(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => {
        const { contentType, baseDocumentId } = ctx.params;
        const records = await service().list(contentType, baseDocumentId);
        return { data: views().listItems(contentType, baseDocumentId, records) };
      });
    },

    async create(ctx: KoaContext) {
      const uid = ctx.request.body?.contentType;
      // Types that cannot have variants get the service's 400 naming contentType, not a 403.
      const personalizable = typeof uid === 'string' && isPersonalizable(contentTypeOf(strapi, uid));
      if (personalizable && !mayEditEntries(ctx, 'create', uid)) return refuse(ctx, 'create', uid);
      await answeringInputErrors(ctx, async () => {
        ctx.status = 201;
        return { data: await service().create(ctx.request.body) };
      });
    },

    async update(ctx: KoaContext) {
      const uid = await typeOfVariant(ctx.params.id);
      if (uid !== null && !mayEditEntries(ctx, 'update', uid)) return refuse(ctx, 'update', uid);
      await answeringInputErrors(ctx, async () => ({
        data: await service().update(ctx.params.id, ctx.request.body),
      }));
    },

    async reorder(ctx: KoaContext) {
      const uid = ctx.params.contentType;
      if (isPersonalizable(contentTypeOf(strapi, uid)) && !mayEditEntries(ctx, 'update', uid)) {
        return refuse(ctx, 'update', uid);
      }
      await answeringInputErrors(ctx, async () => ({
        data: await service().reorder(ctx.params.contentType, ctx.params.baseDocumentId, ctx.request.body),
      }));
    },

    async remove(ctx: KoaContext) {
      const uid = await typeOfVariant(ctx.params.id);
      if (uid !== null && !mayEditEntries(ctx, 'delete', uid)) return refuse(ctx, 'delete', uid);
      await answeringInputErrors(ctx, async () => ({ data: await service().remove(ctx.params.id) }));
    },
  };
};

export default variants;
