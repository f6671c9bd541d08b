import type { Core } from '@strapi/strapi';
import { labelOf, type BaseVariants } from '../core/decision';
import type { Consent } from '../core/consent';
import { buildRuleContext } from '../core/rules';
import { explainWithExperiment } from '../delivery/experiments';
import { VARIANT_OF, enabledTypeOr404, hasDraftAndPublish, localeFor, type ContentTypeSchema } from '../enabled-types';
import { InputError } from '../errors';
import { settings } from '../settings';
import type { ExperimentIndex } from './experiment-index';
import type { VariantIndex } from './variant-index';

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

/**
 * The decision delivery makes for one entry, explained: the base looked up as the content API
 * finds it, the rule context of the caller's consent, and the trace of the live variant index
 * (with a running experiment, as delivery decides). Names, never values.
 */
const decisions = ({ strapi }: { strapi: Core.Strapi }) => {
  const plugin = () => strapi.plugin('personalization');

  /** The base entry as the content API would find it: published, in that locale, not a variant. */
  async function baseExists(uid: string, contentType: ContentTypeSchema, documentId: string, locale: string | null): Promise<boolean> {
    const where: Record<string, unknown> = { documentId, [VARIANT_OF]: { $null: true } };
    if (locale !== null) where.locale = locale;
    if (hasDraftAndPublish(contentType)) where.publishedAt = { $notNull: true };
    return Boolean(await strapi.db.query(uid as Parameters<typeof strapi.db.query>[0]).findOne({ select: ['id'], where }));
  }

  return {
    /** GET /explain/:contentType/:documentId for a caller with `consent`; 404 for a type or entry that is not there. */
    async explain(uid: string, documentId: string, requestedLocale: string | undefined, consent: Consent) {
      const contentType = enabledTypeOr404(strapi, uid);
      const locale = await localeFor(strapi, contentType, requestedLocale);
      if (!(await baseExists(uid, contentType, documentId, locale))) {
        throw new InputError('documentId', `no published ${uid} entry "${documentId}"${locale ? ` in locale "${locale}"` : ''}`, 404);
      }
      const { config } = settings(strapi);
      // A preview token decides as of the editor's chosen time, as delivery does.
      const now = consent.previewAt ?? Date.now();
      const context = buildRuleContext({ now: new Date(now), timeZone: config.timeZone, locale: locale ?? undefined, attributes: consent.attributes });
      const variants = (plugin().service('variant-index') as VariantIndex).variantsOf(uid, documentId);
      const running = (plugin().service('experiment-index') as ExperimentIndex).runningOn(uid, documentId);
      const request = { locale: locale ?? '', now, purposes: consent.purposes, context, consentReason: consent.reason };
      // A running experiment decides as delivery does: the visitor's arm, or the chain without the arm variants.
      const trace = explainWithExperiment(running, variants, request, consent.subject);
      const publicKeys = publicVariantKeys(variants);
      return {
        contentType: uid,
        documentId,
        locale,
        served: { ...labelOf(trace.decision), decidedBy: trace.decidedBy },
        skipped: trace.skipped
          .filter((skip) => publicKeys.has(skip.key))
          .map((skip) => ({
            variant: skip.key,
            kind: skip.kind,
            reason: skip.reason,
            ...(skip.decidedBy !== undefined ? { decidedBy: skip.decidedBy } : {}),
            ...(skip.missingPurposes ? { missingPurposes: skip.missingPurposes } : {}),
          })),
        read: trace.read,
        ...(trace.experiment ? { experiment: trace.experiment } : {}),
        consent: { reason: consent.reason, purposes: config.purposes.map((purpose) => purpose.key).filter((key) => consent.purposes.has(key)) },
      };
    },
  };
};

export type DecisionsService = ReturnType<typeof decisions>;
export default decisions;
