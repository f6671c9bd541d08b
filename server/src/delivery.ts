import { createHash } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { buildRuleContext } from './core/rules';
import { chooseVariant, labelOf, NO_VARIANTS, type Decision, type DecisionRequest } from './core/decision';
import type { Consent } from './core/consent';
import { VARIANT_OF, isLocalized, uidFields } from './enabled-types';
import { internalRead, isInternal } from './internal';
import { hideVariantsInPopulate, type RelationMap } from './populate';
import { CONSENT_HEADERS, type ConsentService } from './services/consent';
import type { VariantIndex } from './services/variant-index';
import { settings } from './settings';

type Entry = Record<string, any> & { id: number; documentId: string; locale?: string | null };

interface DeliveryState {
  now: number;
  served: string[];
  targeted: boolean;
  contexts: Map<string, object>;
}

const READS = new Set(['findMany', 'findFirst', 'findOne', 'count']);
const WRITES = new Set(['create', 'update', 'delete', 'publish', 'unpublish', 'discardDraft', 'clone']);
const HIDE_VARIANTS = Object.freeze({ [VARIANT_OF]: { $null: true } });
const LABEL_NO_VARIANTS = Object.freeze(labelOf(NO_VARIANTS));

function withoutVariants(filters: unknown): object {
  // Under $and: findOne sets its own documentId condition at the top level, which a plain
  // top-level key would silently replace.
  return filters ? { $and: [filters, HIDE_VARIANTS] } : HIDE_VARIANTS;
}

/**
 * The one document-service middleware: hides variant documents from every content-API read,
 * swaps in the chosen variant after the base query, labels entries and sets caching headers.
 * Types that did not opt in cost one Set lookup (and one Map lookup when they relate to one).
 */
export function registerDelivery(strapi: Core.Strapi, enabled: ReadonlySet<string>, relations: RelationMap): void {
  // Read once: config is settled after register, and this is checked on every document call.
  let endpoint: string | undefined;
  const graphqlEndpoint = () => (endpoint ??= strapi.config.get('plugin::graphql.endpoint', '/graphql') as string);
  const index = () => strapi.plugin('personalization').service('variant-index') as VariantIndex;
  const consents = () => strapi.plugin('personalization').service('consent') as ConsentService;
  const variantOps = () => strapi.plugin('personalization').service('variants') as {
    afterDocumentWrite(uid: string, action: string, params: any): Promise<void>;
  };

  function requestOrigin(): { ctx: any; api: 'content' | 'admin' } | null {
    if (isInternal()) return null;
    const ctx = strapi.requestContext.get() as any;
    if (!ctx) return null;
    if (ctx.state?.route?.info?.type === 'content-api' || ctx.path === graphqlEndpoint()) {
      return { ctx, api: 'content' };
    }
    if (ctx.state?.route?.info?.type === 'admin') return { ctx, api: 'admin' };
    return null;
  }

  // Headers are settled once the response is complete: GraphQL's server writes its own
  // Cache-Control after the resolvers ran.
  strapi.server.use(async (ctx: any, next: () => Promise<void>) => {
    await next();
    if ((ctx.state.personalizationDelivery as DeliveryState | undefined)?.targeted) {
      ctx.set('Cache-Control', 'private, no-store');
    }
  });

  strapi.documents.use(async (context: any, next: () => Promise<any>) => {
    const { uid, action } = context;
    if (!enabled.has(uid)) {
      if (!relations.has(uid) || !READS.has(action) || !context.params?.populate) return next();
      if (requestOrigin()?.api !== 'content') return next();
      context.params = { ...context.params, populate: hideVariantsInPopulate(uid, context.params.populate, relations) };
      return next();
    }

    if (WRITES.has(action)) {
      const result = await next();
      if (!isInternal()) await variantOps().afterDocumentWrite(uid, action, context.params);
      return result;
    }
    if (!READS.has(action)) return next();

    const origin = requestOrigin();
    if (!origin) return next();

    if (origin.api === 'admin') {
      // The Content Manager list shows bases only; its edit view still opens variants by id.
      if ((action === 'findMany' || action === 'count') && isListView(origin.ctx, uid)) {
        context.params = { ...context.params, filters: withoutVariants(context.params?.filters) };
      }
      return next();
    }

    const params = { ...context.params, filters: withoutVariants(context.params?.filters) };
    if (params.populate) params.populate = hideVariantsInPopulate(uid, params.populate, relations);
    context.params = params;
    if (action === 'count') return next();
    if (index().isEmpty(uid)) return labelBases(origin.ctx, await next());
    // Decisions need each entry's locale, even when the caller selected fields without it.
    const addedLocale = withLocaleField(strapi, uid, params);
    // One transaction around the base query and the variant query: the document service would
    // otherwise open a second one, and the variant query would be three statements, not one.
    const result = await strapi.db.transaction(async () => deliver(origin.ctx, uid, params, await next()));
    if (addedLocale) for (const entry of Array.isArray(result) ? result : result ? [result] : []) delete entry.locale;
    return result;
  });

  function labelBases(ctx: any, result: any) {
    ctx.vary(CONSENT_HEADERS);
    const entries: Entry[] = Array.isArray(result) ? result : result ? [result] : [];
    for (const entry of entries) entry.personalization = LABEL_NO_VARIANTS;
    setKeyHeader(ctx, deliveryState(ctx));
    return result;
  }

  async function deliver(ctx: any, uid: string, params: any, result: any) {
    ctx.vary(CONSENT_HEADERS);
    if (!result || (Array.isArray(result) && result.length === 0)) return result;
    const entries: Entry[] = Array.isArray(result) ? result : [result];
    const state = deliveryState(ctx);

    const consent = await consents().ofRequest(ctx);
    const decisions = entries.map((entry) =>
      chooseVariant(index().variantsOf(uid, entry.documentId), decisionRequest(strapi, state, consent, entry))
    );
    const chosen = decisions.filter((decision) => decision.variant !== null);
    const variants = chosen.length ? await fetchVariants(uid, params, chosen, entries) : new Map<string, Entry>();

    const served = entries.map((entry, position) => {
      let decision = decisions[position];
      const variant = decision.variant ? variants.get(variantKeyOf(decision.variant.documentId, entry.locale)) : undefined;
      if (decision.variant && !variant) {
        // Unpublished between the index rebuild and this query: the base is the safe answer.
        decision = { variant: null, kind: 'base', reason: 'draft' };
      }
      if (!variant) {
        entry.personalization = labelOf(decision);
        return entry;
      }
      state.served.push(`${uid}:${entry.documentId}:${entry.locale ?? ''}=${decision.variant!.key}`);
      if (decision.kind === 'targeted') state.targeted = true;
      return swapIn(strapi, uid, entry, variant, decision);
    });

    setKeyHeader(ctx, state);
    return Array.isArray(result) ? served : served[0];
  }

  async function fetchVariants(uid: string, params: any, chosen: Decision[], entries: Entry[]): Promise<Map<string, Entry>> {
    const documentIds = [...new Set(chosen.map((decision) => decision.variant!.documentId))];
    // An explicit locale spares the document service its default-locale lookup.
    const locales = new Set(entries.map((entry) => entry.locale ?? null));
    const locale = locales.size === 1 ? [...locales][0] ?? undefined : params.locale;
    // One query for the whole response, whatever the number of entries.
    const rows = (await internalRead(() =>
      strapi.documents(uid as any).findMany({
        filters: { documentId: { $in: documentIds } },
        locale,
        status: 'published',
        fields: params.fields,
        populate: params.populate,
        pagination: { page: 1, pageSize: documentIds.length },
      } as any)
    )) as unknown as Entry[];
    return new Map(rows.map((row) => [variantKeyOf(row.documentId, row.locale), row]));
  }
}

/** Adds `locale` to an explicit field selection on a localized type; true when it did. */
function withLocaleField(strapi: Core.Strapi, uid: string, params: any): boolean {
  if (params.fields === undefined || params.fields === '*') return false;
  if (!isLocalized(strapi.contentType(uid as any) as any)) return false;
  const fields: string[] = typeof params.fields === 'string' ? params.fields.split(',') : [...params.fields];
  if (fields.includes('locale')) return false;
  params.fields = [...fields, 'locale'];
  return true;
}

function variantKeyOf(documentId: string, locale: string | null | undefined): string {
  return `${documentId}:${locale ?? ''}`;
}

function isListView(ctx: any, uid: string): boolean {
  return ctx.method === 'GET' && ctx.path === `/content-manager/collection-types/${uid}`;
}

function deliveryState(ctx: any): DeliveryState {
  let state = ctx.state.personalizationDelivery as DeliveryState | undefined;
  if (!state) {
    state = { now: Date.now(), served: [], targeted: false, contexts: new Map() };
    ctx.state.personalizationDelivery = state;
  }
  return state;
}

function decisionRequest(strapi: Core.Strapi, state: DeliveryState, consent: Consent, entry: Entry): DecisionRequest {
  const locale = entry.locale ?? '';
  let context = state.contexts.get(locale);
  if (!context) {
    context = buildRuleContext({
      now: new Date(state.now),
      timeZone: settings(strapi).config.timeZone,
      locale: entry.locale ?? undefined,
      attributes: consent.attributes,
      // Same layout for every context (absent attributes undefined): faster compiled rules.
      catalogue: settings(strapi).catalogue,
    });
    state.contexts.set(locale, context);
  }
  return { locale, now: state.now, purposes: consent.purposes, context, consentReason: consent.reason };
}

function swapIn(strapi: Core.Strapi, uid: string, base: Entry, variant: Entry, decision: Decision): Entry {
  const served: Entry = { ...variant, id: base.id, documentId: base.documentId };
  for (const field of uidFields(strapi, uid)) {
    if (field in base) served[field] = base[field];
  }
  served.personalization = labelOf(decision);
  return served;
}

const NOTHING_SERVED_KEY = createHash('sha256').digest('base64url').slice(0, 22);

/** An opaque key of the variants chosen, so an edge cache can key on it. */
function setKeyHeader(ctx: any, state: DeliveryState): void {
  if (state.served.length === 0) return void ctx.set('X-Personalization-Key', NOTHING_SERVED_KEY);
  const hash = createHash('sha256');
  for (const served of [...state.served].sort()) hash.update(served).update('\n');
  ctx.set('X-Personalization-Key', hash.digest('base64url').slice(0, 22));
}
