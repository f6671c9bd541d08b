import type { Core } from '@strapi/strapi';
import { answeringInputErrors } from '../errors';
import { getService } from '../get-service';
import type { KoaContext } from '../koa-context';

/** Admin: proof-of-consent records, listed with filters and exported as CSV. */
const consentRecords = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => getService(strapi, 'consent-records');

  return {
    async list(ctx: KoaContext) {
      await answeringInputErrors(ctx, () => service().list(ctx.query));
    },

    async export(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => {
        const stream = service().exportCsv(ctx.query);
        const day = new Date().toISOString().slice(0, 10);
        ctx.type = 'text/csv; charset=utf-8';
        ctx.set('Content-Disposition', `attachment; filename="consent-records-${day}.csv"`);
        ctx.set('Cache-Control', 'no-store');
        return stream;
      });
    },
  };
};

export default consentRecords;
