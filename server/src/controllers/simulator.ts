import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { hasAttributeType, visibleAttributes, type Catalogue } from '../core/catalogue';
import { NECESSARY_PURPOSE } from '../core/consent/normalize';
import type { IgnoredReason, Simulation } from '../../../shared/contracts';
import { labelOf, traceDecision, type DecisionRequest } from '../core/decision';
import { buildRuleContext } from '../core/rules';
import { VARIANT_OF, hasDraftAndPublish, localeFor } from '../enabled-types';
import { answeringInputErrors, InputError } from '../errors';
import { parse } from '../services/variants';
import type { PreviewService } from '../services/preview';
import type { VariantIndex } from '../services/variant-index';
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

/** Why an attribute the editor typed in would not reach a rule; the same filter delivery applies. */
function ignoredReason(catalogue: Catalogue, granted: ReadonlySet<string>, name: string, value: unknown): IgnoredReason | null {
  if (!Object.prototype.hasOwnProperty.call(catalogue, name)) return 'unknown';
  const definition = catalogue[name];
  if (definition.source === 'builtin') return 'builtin';
  if (!definition.purpose || !granted.has(definition.purpose)) return 'purpose-not-granted';
  if (!hasAttributeType(definition.type, value)) return 'wrong-type';
  return null;
}

/**
 * POST /simulate: what delivery would serve for each entry to a visitor with these purposes,
 * attributes, locale and time. It runs the delivery decision (`traceDecision` on the live
 * variant index) with consent normalized the way a valid token would be: `necessary` comes
 * with any grant, attributes are filtered by catalogue, source, type and purpose.
 */
const simulator = ({ strapi }: { strapi: Core.Strapi }) => {
  const index = () => strapi.plugin('personalization').service('variant-index') as VariantIndex;

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
        const input = parse(simulateSchema, ctx.request.body);
        const { config, catalogue } = settings(strapi);
        const uid = input.contentType;
        const contentType = (strapi.contentTypes as Record<string, any>)[uid];
        if (!contentType || !index().isEnabled(uid)) {
          throw new InputError('contentType', `"${uid}" is not a content type with personalization enabled`);
        }
        const known = new Set(config.purposes.map((purpose) => purpose.key));
        input.purposes.forEach((purpose, position) => {
          if (!known.has(purpose)) throw new InputError(`purposes[${position}]`, `unknown purpose "${purpose}"`);
        });
        const now = input.at ? Date.parse(input.at) : Date.now();
        const locale = await localeFor(strapi, contentType, input.locale);

        // No purpose at all is a visitor without a token; any grant comes with `necessary`, as a token's does.
        const granted = new Set(input.purposes);
        if (granted.size > 0 && known.has(NECESSARY_PURPOSE)) granted.add(NECESSARY_PURPOSE);
        const attributes = {
          ...visibleAttributes(catalogue, 'token', granted, input.attributes),
          ...visibleAttributes(catalogue, 'context', granted, input.attributes),
        };
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
        const order = config.purposes.map((purpose) => purpose.key);

        return {
          data: {
            contentType: uid,
            locale,
            at: new Date(now).toISOString(),
            context: {
              purposes: order.filter((key) => granted.has(key)),
              weekday: context.weekday as number,
              hour: context.hour as number,
              timeZone: config.timeZone,
              attributes: Object.keys(attributes).sort(),
              ignored: Object.entries(input.attributes)
                .map(([name, value]) => ({ name, reason: ignoredReason(catalogue, granted, name, value) }))
                .filter((item): item is { name: string; reason: IgnoredReason } => item.reason !== null),
            },
            entries: entries.map((entry) => {
              const trace = traceDecision(index().variantsOf(uid, entry.documentId), request);
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
                })),
                read: trace.read,
              };
            }),
          } satisfies Simulation,
        };
      });
    },
  };
};

export default simulator;
