import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { isPersonalizable } from '../enabled-types';
import { answeringInputErrors, InputError } from '../errors';
import type { ServedCountsService } from '../services/served-counts';
import type { VariantViews } from '../services/variant-views';
import { parse } from '../services/variants';

const VARIANT = 'plugin::personalization.variant';

const servedQuery = z.object({ contentType: z.string().min(1), documentId: z.string().min(1).max(64) }).strict();

const pageNumber = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

const overviewQuery = z.object({ page: pageNumber(1_000_000, 1), pageSize: pageNumber(100, 25) }).strict();

/** What editors read about reach: served counts of a base's variants, and the overview of personalized entries. Behind `read`. */
const reports = ({ strapi }: { strapi: Core.Strapi }) => {
  const plugin = () => strapi.plugin('personalization');

  return {
    /** GET /served?contentType=&documentId= */
    async served(ctx: any) {
      await answeringInputErrors(ctx, async () => {
        const { contentType, documentId } = parse(servedQuery, ctx.query);
        if (!isPersonalizable((strapi.contentTypes as Record<string, any>)[contentType])) {
          throw new InputError('contentType', `"${contentType}" is not a content type with personalization enabled`);
        }
        const records = (await strapi.db.query(VARIANT).findMany({
          select: ['key'],
          where: { contentType, baseDocumentId: documentId },
        })) as Array<{ key: string }>;
        const counts = plugin().service('served-counts') as ServedCountsService;
        return { data: await counts.countsOf(contentType, documentId, records.map((record) => record.key)) };
      });
    },

    /** GET /overview?page=&pageSize= */
    async overview(ctx: any) {
      await answeringInputErrors(ctx, async () => {
        const { page, pageSize } = parse(overviewQuery, ctx.query);
        return { data: await (plugin().service('variant-views') as VariantViews).overview(page, pageSize) };
      });
    },
  };
};

export default reports;
