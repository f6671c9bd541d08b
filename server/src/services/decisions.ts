import type { Core, UID } from '@strapi/strapi';
import { z } from 'zod';
import type { Explanation, Simulation } from '../../../shared/contracts';
import { labelOf, type BaseVariants, type DecisionRequest } from '../core/decision';
import type { Consent } from '../core/consent';
import { statedConsent, unknownPurposes } from '../core/consent/editor-consent';
import { buildRuleContext } from '../core/rules';
import { explainWithExperiment, simulateWithExperiment } from '../delivery/experiments';
import { VARIANT_OF, enabledTypeOr400, enabledTypeOr404, hasDraftAndPublish, localeFor, mainFieldOf, type ContentTypeSchema } from '../enabled-types';
import { InputError, parseInput } from '../errors';
import { settings } from '../settings';
import type { ExperimentIndex } from './experiment-index';
import type { VariantIndex } from './variant-index';

const MAX_ENTRIES = 50;

const simulateSchema = z
  .object({
    contentType: z.string().min(1),
    documentIds: z.array(z.string().min(1)).min(1).max(MAX_ENTRIES).optional(),
    purposes: z.array(z.string()).max(50).default([]),
    attributes: z.record(z.string(), z.unknown()).default({}),
    locale: z.string().min(1).max(64).nullable().optional(),
    at: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();

/** Where a base entry is as the content API finds it: published, in that locale, not a variant. */
function baseWhere(contentType: ContentTypeSchema, locale: string | null, where: Record<string, unknown>): Record<string, unknown> {
  const found: Record<string, unknown> = { ...where, [VARIANT_OF]: { $null: true } };
  if (locale !== null) found.locale = locale;
  if (hasDraftAndPublish(contentType)) found.publishedAt = { $notNull: true };
  return found;
}

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
 * The decision delivery makes, explained: for one entry and the caller's own consent (GET
 * /explain), or for the entries of a type and a stated visitor (POST /simulate). Both look bases up
 * as the content API finds them, build the rule context as delivery does and trace the live
 * variant index (with a running experiment, as delivery decides). Names, never values.
 */
const decisions = ({ strapi }: { strapi: Core.Strapi }) => {
  const plugin = () => strapi.plugin('personalization');
  const index = () => plugin().service('variant-index') as VariantIndex;
  const experiments = () => plugin().service('experiment-index') as ExperimentIndex;
  const query = (uid: string) => strapi.db.query(uid as UID.Schema);

  /** The rule context and decision request delivery would build at `now` for these attributes and purposes. */
  function requestOf(now: number, locale: string | null, attributes: Record<string, unknown>, purposes: ReadonlySet<string>, consentReason: DecisionRequest['consentReason']) {
    const context = buildRuleContext({ now: new Date(now), timeZone: settings(strapi).config.timeZone, locale: locale ?? undefined, attributes });
    const request: DecisionRequest = { locale: locale ?? '', now, purposes, context, consentReason };
    return { context, request };
  }

  /** Published base entries (variants never), in the locale, first created first, with their titles. */
  async function baseEntries(uid: string, contentType: ContentTypeSchema, locale: string | null, documentIds?: string[]) {
    const mainField = await mainFieldOf(strapi, uid);
    const where = baseWhere(contentType, locale, documentIds ? { documentId: { $in: documentIds } } : {});
    const select = [...new Set(['id', 'documentId', mainField])];
    const rows = (await query(uid).findMany({ select, where, orderBy: [{ id: 'asc' }], limit: MAX_ENTRIES })) as Array<Record<string, unknown> & { documentId: string }>;
    return rows.map((row) => ({ documentId: row.documentId, title: row[mainField] == null ? null : String(row[mainField]) }));
  }

  async function variantNames(uid: string, baseDocumentIds: string[]): Promise<Map<string, string>> {
    if (baseDocumentIds.length === 0) return new Map();
    const rows = (await strapi.db.query('plugin::personalization.variant').findMany({
      select: ['key', 'name', 'baseDocumentId'],
      where: { contentType: uid, baseDocumentId: { $in: baseDocumentIds } },
    })) as Array<{ key: string; name: string; baseDocumentId: string }>;
    return new Map(rows.map((row) => [`${row.baseDocumentId}:${row.key}`, row.name]));
  }

  return {
    /** GET /explain/:contentType/:documentId for a caller with `consent`; 404 for a type or entry that is not there. */
    async explain(uid: string, documentId: string, requestedLocale: string | undefined, consent: Consent): Promise<Explanation> {
      const contentType = enabledTypeOr404(strapi, uid);
      const locale = await localeFor(strapi, contentType, requestedLocale);
      if (!(await query(uid).findOne({ select: ['id'], where: baseWhere(contentType, locale, { documentId }) }))) {
        throw new InputError('documentId', `no published ${uid} entry "${documentId}"${locale ? ` in locale "${locale}"` : ''}`, 404);
      }
      const { config } = settings(strapi);
      // A preview token decides as of the editor's chosen time, as delivery does.
      const { request } = requestOf(consent.previewAt ?? Date.now(), locale, consent.attributes, consent.purposes, consent.reason);
      const variants = index().variantsOf(uid, documentId);
      // A running experiment decides as delivery does: the visitor's arm, or the chain without the arm variants.
      const trace = explainWithExperiment(experiments().runningOn(uid, documentId), variants, request, consent.subject);
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

    /**
     * POST /simulate: what delivery would serve for each entry to a visitor with these purposes,
     * attributes, locale and time, with consent normalized the way a valid token would be:
     * `necessary` comes with any grant, attributes are filtered by catalogue, source, type and purpose.
     * The admin simulator names every variant, drafts and disabled ones too.
     */
    async simulate(body: unknown): Promise<Simulation> {
      const input = parseInput(simulateSchema, body);
      const { config, catalogue } = settings(strapi);
      const uid = input.contentType;
      const contentType = enabledTypeOr400(strapi, uid);
      const order = config.purposes.map((purpose) => purpose.key);
      const [unknown] = unknownPurposes(input.purposes, order);
      if (unknown) throw new InputError(unknown.field, unknown.message);
      const now = input.at ? Date.parse(input.at) : Date.now();
      const locale = await localeFor(strapi, contentType, input.locale);

      // No purpose at all is a visitor without a token; any grant is a token's, with `necessary`.
      const consent = statedConsent({ purposes: input.purposes, attributes: input.attributes, withToken: input.purposes.length > 0 }, catalogue, order);
      const attributes = { ...consent.token, ...consent.context };
      const { context, request } = requestOf(now, locale, attributes, consent.granted, consent.granted.size > 0 ? 'consent' : 'no-token');

      const entries = await baseEntries(uid, contentType, locale, input.documentIds);
      const names = await variantNames(uid, entries.map((entry) => entry.documentId));
      const nameOf = (documentId: string, key: string | null) => (key ? names.get(`${documentId}:${key}`) ?? key : null);

      return {
        contentType: uid,
        locale,
        at: new Date(now).toISOString(),
        context: {
          purposes: consent.purposes,
          weekday: context.weekday as number,
          hour: context.hour as number,
          timeZone: config.timeZone,
          attributes: Object.keys(attributes).sort(),
          ignored: consent.ignored,
        },
        entries: entries.map((entry) => {
          const trace = simulateWithExperiment(experiments().runningOn(uid, entry.documentId), index().variantsOf(uid, entry.documentId), request);
          const served = labelOf(trace.decision);
          return {
            documentId: entry.documentId,
            title: entry.title,
            served: { ...served, name: nameOf(entry.documentId, served.variant), documentId: trace.decision.variant?.documentId ?? null },
            skipped: trace.skipped.map((skip) => ({
              variant: skip.key,
              name: nameOf(entry.documentId, skip.key),
              kind: skip.kind,
              reason: skip.reason,
              ...(skip.missingPurposes ? { missingPurposes: skip.missingPurposes } : {}),
            })),
            read: trace.read,
            ...(trace.experiment ? { experiment: trace.experiment } : {}),
          };
        }),
      };
    },
  };
};

export type DecisionsService = ReturnType<typeof decisions>;
export default decisions;
