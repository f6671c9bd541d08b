import type { Core } from '@strapi/strapi';
import { answeringInputErrors } from '../errors';
import { getService } from '../get-service';
import type { KoaContext } from '../koa-context';

/** Admin: everything the plugin holds as one JSON file, and that file imported back. */
const transfer = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => getService(strapi, 'transfer');

  return {
    async export(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => {
        const data = await service().export();
        ctx.set('Content-Disposition', `attachment; filename="personalization-export-${data.exportedAt.slice(0, 10)}.json"`);
        ctx.set('Cache-Control', 'no-store');
        return data;
      });
    },

    async import(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => ({
        data: await service().import(ctx.request.body, { relink: ctx.query?.relink === 'true' }),
      }));
    },
  };
};

export default transfer;
