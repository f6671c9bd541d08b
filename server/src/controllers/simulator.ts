import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { statedConsent, unknownPurposes } from '../core/consent/editor-consent';
import type { Simulation } from '../../../shared/contracts';
import { labelOf, type DecisionRequest } from '../core/decision';
import { simulateWithExperiment } from '../delivery/experiments';
import { buildRuleContext } from '../core/rules';
import { VARIANT_OF, enabledTypeOr400, hasDraftAndPublish, localeFor } from '../enabled-types';
import { answeringInputErrors, InputError, parseInput } from '../errors';
import type { PreviewService } from '../services/preview';
import type { VariantIndex } from '../services/variant-index';
import type { ExperimentIndex } from '../services/experiment-index';
import { settings } from '../settings';
import { mainFieldOf } from './settings';
import type { KoaContext } from '../koa-context';

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

/**
 * POST /simulate: what delivery would serve for each entry to a visitor with these purposes,
 * attributes, locale and time. It runs the delivery decision (`traceDecision` on the live
 * variant index) with consent normalized the way a valid token would be: `necessary` comes
 * with any grant, attributes are filtered by catalogue, source, type and purpose.
 */
const simulator = ({ strapi }: { strapi: Core.Strapi }) => {
  const index = () => strapi.plugin('personalization').service('variant-index') as VariantIndex;
  const experiments = () => strapi.plugin('personalization').service('experiment-index') as ExperimentIndex;

  /** Published base entries (variants never), in the locale, first created first. */
  async function baseEntries(uid: string, contentType: any, locale: string | null, documentIds?: string[]) {
    const mainField = await mainFieldOf(strapi, uid);
    const where: Record<string, unknown> = { [VARIANT_OF]: { $null: true } };
    if (documentIds) where.documentId = { $in: documentIds };
    if (locale !== null) where.locale = locale;
    if (hasDraftAndPublish(contentType)) where.publishedAt = { $notNull: true };
    const select = [...new Set(['id', 'documentId', mainField])];
    const rows = (await strapi.db.query(uid as any).findMany({ select, where, orderBy: [{ id: 'asc' }], limit: MAX_ENTRIES })) as Array<Record<string, unknown> & { documentId: string }>;
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
    /** POST /preview: the content API's own answer for a visitor with this consent (services/preview.ts). */
    async preview(ctx: KoaContext) {
      ctx.set('Cache-Control', 'no-store');
      await answeringInputErrors(ctx, async () => ({
        data: await (strapi.plugin('personalization').service('preview') as PreviewService).preview(ctx.request.body),
      }));
    },

    async simulate(ctx: KoaContext) {
      await answeringInputErrors(ctx, async () => {
        const input = parseInput(simulateSchema, ctx.request.body);
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
        const granted = consent.granted;
        const attributes = { ...consent.token, ...consent.context };
        const context = buildRuleContext({ now: new Date(now), timeZone: config.timeZone, locale: locale ?? undefined, attributes });
        const request: DecisionRequest = {
          locale: locale ?? '',
          now,
          purposes: granted,
          context,
          consentReason: granted.size > 0 ? 'consent' : 'no-token',
        };

        const entries = await baseEntries(uid, contentType, locale, input.documentIds);
        const names = await variantNames(uid, entries.map((entry) => entry.documentId));
        const nameOf = (documentId: string, key: string | null) => (key ? names.get(`${documentId}:${key}`) ?? key : null);

        return {
          data: {
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
          } satisfies Simulation,
        };
      });
    },
  };
};

export default simulator;
