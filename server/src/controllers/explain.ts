import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { answeringInputErrors, parseInput } from '../errors';
import { getService } from '../get-service';
import type { KoaContext } from '../koa-context';
import { CONSENT_HEADERS } from '../services/consent';

const querySchema = z.object({ locale: z.string().min(1).max(64).optional() }).strict();

/**
 * GET /explain/:contentType/:documentId: the decision delivery would make for the caller's own
 * consent, with every skipped variant and the attribute names read (services/decisions.ts).
 */
const explain = ({ strapi }: { strapi: Core.Strapi }) => ({
  async explain(ctx: KoaContext) {
    ctx.set('Cache-Control', 'private, no-store');
    ctx.vary(CONSENT_HEADERS);
    await answeringInputErrors(ctx, async () => {
      const { locale } = parseInput(querySchema, ctx.query, 'query');
      const consent = await getService(strapi, 'consent').ofRequest(ctx);
      return { data: await getService(strapi, 'decisions').explain(ctx.params.contentType, ctx.params.documentId, locale, consent) };
    });
  },
});

export default explain;
