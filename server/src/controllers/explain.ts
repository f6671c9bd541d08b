import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { labelOf, type BaseVariants } from '../core/decision';
import { explainWithExperiment } from '../delivery/experiments';
import { buildRuleContext } from '../core/rules';
import { VARIANT_OF, hasDraftAndPublish, localeFor } from '../enabled-types';
import { answeringInputErrors, InputError } from '../errors';
import { settings } from '../settings';
import { CONSENT_HEADERS, type ConsentService } from '../services/consent';
import type { VariantIndex } from '../services/variant-index';
import type { ExperimentIndex } from '../services/experiment-index';

/**
 * Variants the public API may name: enabled and published in some locale. Drafts and disabled
 * variants are unpublished work; the decision still counts them exactly as delivery does (they are
 * never served), they are only left out of `skipped`. The admin simulator shows them all.
 */
function publicVariantKeys(variants: BaseVariants | undefined): Set<string> {
  const keys = new Set<string>();
  for (const variant of [...(variants?.targeted ?? []), ...(variants?.mass ?? [])]) {
    if (variant.enabled && variant.publishedLocales.size > 0) keys.add(variant.key);
  }
  return keys;
}

const querySchema = z.object({ locale: z.string().min(1).max(64).optional() }).strict();

/**
 * GET /explain/:contentType/:documentId: the decision delivery would make for the caller's own
 * consent, with every skipped variant and the attribute names read. Names, never values.
 */
const explain = ({ strapi }: { strapi: Core.Strapi }) => {
  const plugin = () => strapi.plugin('personalization');

  /** The base entry as the content API would find it: published, in that locale, not a variant. */
  async function baseExists(uid: string, contentType: any, documentId: string, locale: string | null): Promise<boolean> {
    const where: Record<string, unknown> = { documentId, [VARIANT_OF]: { $null: true } };
    if (locale !== null) where.locale = locale;
    if (hasDraftAndPublish(contentType)) where.publishedAt = { $notNull: true };
    return Boolean(await strapi.db.query(uid as any).findOne({ select: ['id'], where }));
  }

  return {
    async explain(ctx: any) {
      ctx.set('Cache-Control', 'private, no-store');
      ctx.vary(CONSENT_HEADERS);
      await answeringInputErrors(ctx, async () => {
        const parsed = querySchema.safeParse(ctx.query ?? {});
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          if (issue.code === 'unrecognized_keys') {
            throw new InputError(issue.keys[0], `unknown query parameter "${issue.keys.join('", "')}"`);
          }
          throw new InputError(issue.path.join('.') || '(query)', issue.message);
        }
        const uid: string = ctx.params.contentType;
        const documentId: string = ctx.params.documentId;
        const index = plugin().service('variant-index') as VariantIndex;
        const contentType = (strapi.contentTypes as Record<string, any>)[uid];
        if (!contentType || !index.isEnabled(uid)) {
          throw new InputError('contentType', `"${uid}" is not a content type with personalization enabled`, 404);
        }
        const locale = await localeFor(strapi, contentType, parsed.data.locale);
        if (!(await baseExists(uid, contentType, documentId, locale))) {
          throw new InputError('documentId', `no published ${uid} entry "${documentId}"${locale ? ` in locale "${locale}"` : ''}`, 404);
        }

        const consent = await (plugin().service('consent') as ConsentService).ofRequest(ctx);
        // A preview token decides as of the editor's chosen time, as delivery does.
        const now = consent.previewAt ?? Date.now();
        const context = buildRuleContext({
          now: new Date(now),
          timeZone: settings(strapi).config.timeZone,
          locale: locale ?? undefined,
          attributes: consent.attributes,
        });
        const variants = index.variantsOf(uid, documentId);
        const running = (plugin().service('experiment-index') as ExperimentIndex).runningOn(uid, documentId);
        const request = { locale: locale ?? '', now, purposes: consent.purposes, context, consentReason: consent.reason };
        // A running experiment decides as delivery does: the visitor's arm, or the chain without the arm variants.
        const trace = explainWithExperiment(running, variants, request, consent.subject);
        const publicKeys = publicVariantKeys(variants);
        const order = settings(strapi).config.purposes.map((purpose) => purpose.key);
        return {
          data: {
            contentType: uid,
            documentId,
            locale,
            served: { ...labelOf(trace.decision), decidedBy: trace.decidedBy },
            skipped: trace.skipped.filter((skip) => publicKeys.has(skip.key)).map((skip) => ({
              variant: skip.key,
              kind: skip.kind,
              reason: skip.reason,
              ...(skip.decidedBy !== undefined ? { decidedBy: skip.decidedBy } : {}),
              ...(skip.missingPurposes ? { missingPurposes: skip.missingPurposes } : {}),
            })),
            read: trace.read,
            ...(trace.experiment ? { experiment: trace.experiment } : {}),
            consent: { reason: consent.reason, purposes: order.filter((key) => consent.purposes.has(key)) },
          },
        };
      });
    },
  };
};

export default explain;
