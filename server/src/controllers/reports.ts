import type { Core } from '@strapi/strapi';
import type { KoaContext } from '../koa-context';
import { z } from 'zod';
import { enabledTypeOr400 } from '../enabled-types';
import { answeringInputErrors, parseInput } from '../errors';
import { getService } from '../get-service';

const VARIANT = 'plugin::personalization.variant';

const servedQuery = z.object({ contentType: z.string().min(1), documentId: z.string().min(1).max(64) }).strict();

const pageNumber = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

const overviewQuery = z.object({ page: pageNumber(1_000_000, 1), pageSize: pageNumber(100, 25) }).strict();

/** What editors read about reach: served counts of a base's variants, and the overview of personalized entries. Behind `read`. */
const reports = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** GET /served?contentType=&documentId= */
  async served(ctx: KoaContext) {
    await answeringInputErrors(ctx, async () => {
      const { contentType, documentId } = parseInput(servedQuery, ctx.query, 'query');
      enabledTypeOr400(strapi, contentType);
      const records = (await strapi.db.query(VARIANT).findMany({
        select: ['key'],
        where: { contentType, baseDocumentId: documentId },
      })) as Array<{ key: string }>;
      const keys = records.map((record) => record.key);
      return { data: await getService(strapi, 'served-counts').countsOf(contentType, documentId, keys) };
    });
  },

  /** GET /overview?page=&pageSize= */
  async overview(ctx: KoaContext) {
    await answeringInputErrors(ctx, async () => {
      const { page, pageSize } = parseInput(overviewQuery, ctx.query, 'query');
      return { data: await getService(strapi, 'variant-views').overview(page, pageSize) };
    });
  },
});

export default reports;
