import type { Core } from '@strapi/strapi';
import { purposesOfAttributes } from '../core/rules';
import { answeringInputErrors } from '../errors';
import { settings } from '../settings';
import { getService } from '../get-service';
import type { KoaContext } from '../koa-context';
import type { PurposeDescription } from '../../../shared/contracts';
import { TokenRefused } from '../services/consent';

const consent = ({ strapi }: { strapi: Core.Strapi }) => {
  const service = () => getService(strapi, 'consent');

  /** A refused token is the visitor's problem to fix, so the reason code goes back with the 401. */
  async function answeringTokenRefusals(ctx: KoaContext, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof TokenRefused)) throw error;
      ctx.unauthorized(error.message, { reason: error.reason });
    }
  }

  /** The last answer, good while the index is unchanged and until the first counted variant ends. */
  let inUse: { generation: number; until: number; purposes: Set<string> } | undefined;

  /**
   * Purposes live variants depend on (enabled, published, not ended): their required purposes,
   * `personalization` for targeted ones among them, and the purposes of the attributes their
   * audiences and segments read. From the in-memory index: no query, and read again only after a
   * change to the variants or once one of them has ended.
   */
  function purposesInUse(now = Date.now()): Set<string> {
    const index = getService(strapi, 'variant-index');
    if (inUse && inUse.generation === index.generation() && now < inUse.until) return inUse.purposes;
    const { config } = settings(strapi);
    const purposes = new Set<string>();
    let until = Infinity;
    for (const variant of index.allVariants()) {
      if (!variant.enabled || (variant.endsAt !== null && variant.endsAt <= now)) continue;
      if (variant.endsAt !== null) until = Math.min(until, variant.endsAt);
      for (const purpose of variant.requiredPurposes) purposes.add(purpose);
      for (const purpose of purposesOfAttributes(variant.reads, config.attributes)) purposes.add(purpose);
    }
    inUse = { generation: index.generation(), until, purposes };
    return purposes;
  }

  return {
    /** What a consent banner needs to ask honestly: purposes, the attributes each unlocks, and whether live variants use it. */
    async purposes(ctx: KoaContext) {
      const { config } = settings(strapi);
      const used = purposesInUse();
      ctx.set('Cache-Control', 'public, max-age=60');
      ctx.body = {
        data: config.purposes.map((purpose) => ({
          key: purpose.key,
          title: purpose.title,
          description: purpose.description,
          attributes: Object.entries(config.attributes)
            .filter(([, attribute]) => attribute.purpose === purpose.key)
            .map(([name, attribute]) => ({ name, type: attribute.type, source: attribute.source })),
          usedByLiveVariants: used.has(purpose.key),
        })) satisfies PurposeDescription[],
      };
    },

    /** POST /consent, behind the rate-limit route middleware. */
    async grant(ctx: KoaContext) {
      ctx.set('Cache-Control', 'no-store');
      await answeringInputErrors(ctx, async () => {
        const data = await service().grant(ctx.request.body);
        ctx.status = 201;
        return { data };
      });
    },

    /** GET /consent: the token's own content, for the visitor holding it. */
    async inspect(ctx: KoaContext) {
      ctx.set('Cache-Control', 'private, no-store');
      ctx.vary('X-Consent-Token');
      await answeringTokenRefusals(ctx, async () => {
        ctx.body = { data: await service().inspect(ctx.get('x-consent-token') || undefined) };
      });
    },

    /** DELETE /consent: revoked at once; 204 again for a token already withdrawn. */
    async withdraw(ctx: KoaContext) {
      ctx.set('Cache-Control', 'no-store');
      await answeringTokenRefusals(ctx, async () => {
        await service().withdraw(ctx.get('x-consent-token') || undefined);
        ctx.status = 204;
      });
    },
  };
};

export default consent;
