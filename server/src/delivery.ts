import { createHash } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { buildRuleContext } from './core/rules';
import { chooseVariant, labelOf, NO_VARIANTS, type Decision, type DecisionRequest } from './core/decision';
import type { Consent } from './core/consent';
import { VARIANT_OF, columnsOf, hasDraftAndPublish, isLocalized, uidFields } from './enabled-types';
import { isInternalWrite } from './internal';
import { hideVariantsInPopulate, type RelationMap } from './populate';
import { CONSENT_HEADERS, type ConsentService } from './services/consent';
import type { VariantIndex } from './services/variant-index';
import { settings } from './settings';

type Entry = Record<string | symbol, any> & { id: number; documentId: string; locale?: string | null };

interface DeliveryState {
  now: number;
  served: string[];
  targeted: boolean;
  contexts: Map<string, object>;
}

/** Reads that return entries: the ones delivery answers, and the ones that can populate. */
const READS = new Set(['findMany', 'findFirst', 'findOne']);
const WRITES = new Set(['create', 'update', 'delete', 'publish', 'unpublish', 'discardDraft', 'clone']);
const HIDE_VARIANTS = Object.freeze({ [VARIANT_OF]: null });
const LABEL_NO_VARIANTS = Object.freeze(labelOf(NO_VARIANTS));

/**
 * Where an entry's label rides until the response is written. The content API's output sanitizer
 * walks every key of every entry several times; a symbol key is copied along but not walked, and
 * becomes `personalization` at the end of that sanitizer (or, for output that skips it, when the
 * response is settled). GraphQL reads it in its field resolver.
 */
export const LABEL = Symbol('personalization label');
/** Variant rows kept for reuse (see fetchVariants): about one per live variant and locale. */
const ROW_CACHE_LIMIT = 20_000;

/**
 * Delivery on the content API. A database lifecycle hides variant rows from every content-API
 * read (and from the Content Manager list); one document-service middleware swaps in the chosen
 * variant after the base query, labels entries and sets caching headers. Types that did not opt
 * in cost one Set lookup (and one Map lookup when they relate to one).
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
    const state = ctx.state.personalizationDelivery as DeliveryState | undefined;
    if (!state) return;
    if (state.targeted) ctx.set('Cache-Control', 'private, no-store');
    exposeLabels(ctx.body);
  });

  // Registered output sanitizers run after Strapi's own, one entry at a time (Strapi types them as
  // curried lodash functions; its pipe takes plain ones).
  strapi.sanitizers.add('content-api.output', (() => exposeLabel) as never);

  // Variant rows are hidden where the query is built: a condition added to the document
  // service's `filters` would go through its validation and conversion on every read.
  if (enabled.size > 0) {
    strapi.db.lifecycles.subscribe({
      models: [...enabled],
      beforeFindMany: hideVariantRows,
      beforeFindOne: hideVariantRows,
      beforeCount: hideVariantRows,
    });
  }

  function hideVariantRows(event: { action: string; model: { uid: string }; params: { where?: any; select?: any } }): void {
    const origin = requestOrigin();
    if (!origin) return;
    if (origin.api === 'admin') {
      // The Content Manager list shows bases only; its edit view still opens variants by id.
      if (event.action === 'beforeFindOne' || !isListView(origin.ctx, event.model.uid)) return;
    }
    const { params } = event;
    const where = params.where;
    if (where === undefined || where === null) {
      params.where = { ...HIDE_VARIANTS };
    } else if (typeof where === 'object' && !Array.isArray(where)) {
      // A query that states its own condition on variantOf is the plugin's (the content API
      // refuses private attributes in filters): it is left as it is.
      if (VARIANT_OF in where) return;
      params.where = { ...where, [VARIANT_OF]: null };
    } else {
      params.where = { $and: [where, HIDE_VARIANTS] };
    }
    // The content API drops the private column from every entry it returns, and deleting a key
    // costs more than not reading it: an unrestricted select reads every other column instead.
    if (origin.api === 'content' && event.action !== 'beforeCount' && (params.select === undefined || params.select === null)) {
      params.select = columnsOf(strapi, event.model.uid);
    }
  }

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
      if (!isInternalWrite(context.params)) await variantOps().afterDocumentWrite(uid, action, context.params);
      return result;
    }
    if (!READS.has(action)) return next();
    const origin = requestOrigin();
    if (origin?.api !== 'content') return next();

    let params = context.params;
    if (params?.populate) {
      params = { ...params, populate: hideVariantsInPopulate(uid, params.populate, relations) };
      context.params = params;
    }
    if (index().isEmpty(uid)) return labelBases(origin.ctx, await next());
    // Decisions need each entry's locale, even when the caller selected fields without it.
    if (params?.fields !== undefined) context.params = params = { ...params };
    const addedLocale = params ? withLocaleField(strapi, uid, params) : false;
    const result = await deliver(origin.ctx, uid, params ?? {}, await next());
    if (addedLocale) for (const entry of Array.isArray(result) ? result : result ? [result] : []) delete entry.locale;
    return result;
  });

  function labelBases(ctx: any, result: any) {
    ctx.vary(CONSENT_HEADERS);
    const entries: Entry[] = Array.isArray(result) ? result : result ? [result] : [];
    for (const entry of entries) entry[LABEL] = LABEL_NO_VARIANTS;
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
    const wanted = entries.flatMap((entry, position) =>
      decisions[position].variant ? [{ documentId: decisions[position].variant!.documentId, locale: entry.locale ?? null }] : []
    );
    const variants = wanted.length ? await fetchVariants(uid, params, wanted) : new Map<string, Entry>();

    const served = entries.map((entry, position) => {
      let decision = decisions[position];
      const variant = decision.variant ? variants.get(variantKeyOf(decision.variant.documentId, entry.locale)) : undefined;
      if (decision.variant && !variant) {
        // Unpublished between the index rebuild and this query: the base is the safe answer.
        decision = { variant: null, kind: 'base', reason: 'draft' };
      }
      if (!variant) {
        entry[LABEL] = labelOf(decision);
        return entry;
      }
      state.served.push(`${uid}:${entry.documentId}:${entry.locale ?? ''}=${decision.variant!.key}`);
      if (decision.kind === 'targeted') state.targeted = true;
      return swapIn(strapi, uid, entry, variant, decision);
    });

    setKeyHeader(ctx, state);
    return Array.isArray(result) ? served : served[0];
  }

  // Published variant rows read without populate, reused until the index changes: every write to
  // a variant document rebuilds the index here, and on the other instances through coherence.
  // With populate the rows hold other documents too, whose changes the index does not follow.
  const rowCache = new Map<string, Entry>();
  let rowCacheGeneration = -1;

  /**
   * At most one query for the whole response, whatever the number of entries: straight to the
   * database layer, with the caller's fields and populate converted as the document service does.
   */
  async function fetchVariants(
    uid: string,
    params: any,
    wanted: Array<{ documentId: string; locale: string | null }>
  ): Promise<Map<string, Entry>> {
    const generation = index().generation();
    if (generation !== rowCacheGeneration) {
      rowCache.clear();
      rowCacheGeneration = generation;
    }
    const cacheable = isEmptyPopulate(params.populate);
    const fieldsKey = params.fields === undefined ? '*' : String(params.fields);
    const cacheKey = (documentId: string, locale: string | null | undefined) => `${uid}|${fieldsKey}|${variantKeyOf(documentId, locale)}`;

    const found = new Map<string, Entry>();
    const missing = new Set<string>();
    const locales = new Set<string | null>();
    for (const { documentId, locale } of wanted) {
      const cached = cacheable ? rowCache.get(cacheKey(documentId, locale)) : undefined;
      if (cached) found.set(variantKeyOf(documentId, locale), cached);
      else {
        missing.add(documentId);
        locales.add(locale);
      }
    }
    if (missing.size === 0) return found;

    const contentType = strapi.contentType(uid as any) as any;
    const where: Record<string, unknown> = { documentId: { $in: [...missing] }, [VARIANT_OF]: { $notNull: true } };
    if (hasDraftAndPublish(contentType)) where.publishedAt = { $notNull: true };
    // Entries of several locales: every locale of the chosen documents, matched by key.
    if (isLocalized(contentType) && locales.size === 1) {
      const [locale] = locales;
      if (locale !== null) where.locale = locale;
    }
    const query = strapi.get('query-params').transform(uid, { fields: params.fields, populate: params.populate });
    const rows = (await strapi.db
      .query(uid as any)
      .findMany({ select: query.select ?? columnsOf(strapi, uid), populate: query.populate, where })) as unknown as Entry[];
    // A rebuild that completed meanwhile may have been for a change these rows predate.
    const keep = cacheable && index().generation() === generation && rowCache.size + rows.length <= ROW_CACHE_LIMIT;
    for (const row of rows) {
      found.set(variantKeyOf(row.documentId, row.locale), row);
      if (keep) rowCache.set(cacheKey(row.documentId, row.locale), row);
    }
    return found;
  }
}

function exposeLabel<T>(entry: T): T {
  if (entry !== null && typeof entry === 'object') {
    const label = (entry as Entry)[LABEL];
    if (label !== undefined && !('personalization' in entry)) (entry as Entry).personalization = label;
  }
  return entry;
}

/** Entries a controller returned without the content API's sanitizer: `{ data }`, a list or one entry. */
function exposeLabels(body: unknown): void {
  if (body === null || typeof body !== 'object') return;
  const data = !Array.isArray(body) && 'data' in body ? (body as { data: unknown }).data : body;
  if (Array.isArray(data)) data.forEach(exposeLabel);
  else exposeLabel(data);
}

function isEmptyPopulate(populate: unknown): boolean {
  if (populate === undefined || populate === null || populate === '') return true;
  if (Array.isArray(populate)) return populate.length === 0;
  return typeof populate === 'object' && Object.keys(populate).length === 0;
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
  served[LABEL] = labelOf(decision);
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
