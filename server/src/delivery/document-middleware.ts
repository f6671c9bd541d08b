import type { Core } from '@strapi/strapi';
import { isLocalized } from '../enabled-types';
import { isInternalWrite } from '../internal';
import type { VariantsService } from '../services/variants';
import { guardContentApiWrite } from './content-api-writes';
import { deliveryState } from './labels';
import type { RequestOrigin } from './origin';
import type { Personalize } from './personalize';
import type { PersonalizeRelated } from './related-entries';
import type { Row } from './variant-rows';


/** Reads that return entries: the ones delivery answers, and the ones that can populate. */
const READS = new Set(['findMany', 'findFirst', 'findOne']);
const WRITES = new Set(['create', 'update', 'delete', 'publish', 'unpublish', 'discardDraft', 'clone']);

/**
 * The document-service middleware: where entries are swapped for the chosen variants on the
 * content API. It runs for every caller; everything but a content-API read of a type that is
 * enabled, or that reaches one through populate, leaves after one Set lookup.
 */
export function documentMiddleware(
  strapi: Core.Strapi,
  enabled: ReadonlySet<string>,
  reaching: ReadonlySet<string>,
  origin: () => RequestOrigin | null,
  personalize: Personalize,
  personalizeRelated: PersonalizeRelated
) {
  const variants = () => strapi.plugin('personalization').service('variants') as VariantsService;

  return async (context: { uid: string; action: string; params: any }, next: () => Promise<any>) => {
    const { uid, action } = context;
    const isEnabled = enabled.has(uid);
    if (!isEnabled && !reaching.has(uid)) return next();

    if (isEnabled && WRITES.has(action)) {
      if (origin()?.api === 'content') await guardContentApiWrite(strapi, uid, action, context.params);
      const result = await next();
      if (!isInternalWrite(context.params)) await variants().afterDocumentWrite(uid, action, context.params);
      return result;
    }
    if (!READS.has(action)) return next();
    const from = origin();
    if (from?.api !== 'content') return next();

    const { ctx } = from;
    let params = context.params ?? {};
    const populate = params.populate;
    const related = reaching.has(uid) && populate !== undefined && populate !== null && populate !== false && populate !== '';
    if (!isEnabled) {
      const result = await next();
      if (related) await personalizeRelated(ctx, uid, entriesOf(result), once(() => databasePopulate(strapi, uid, populate)));
      return result;
    }

    deliveryState(ctx);
    // Decisions need each entry's locale, even when the caller selected fields without it.
    const addedLocale = withLocaleField(strapi, uid, params);
    if (addedLocale) context.params = params = { ...params, fields: addedLocale };
    const result = await next();
    const entries = entriesOf(result);
    const shape = once(() => strapi.get('query-params').transform(uid, { fields: params.fields, populate }) as { select?: string[]; populate?: unknown });
    const served = await personalize(ctx, uid, entries, shape, params.locale ?? null);
    if (related) await personalizeRelated(ctx, uid, served, () => shape().populate);
    if (addedLocale) for (const entry of served) delete entry.locale;
    return Array.isArray(result) ? served : (served[0] ?? result);
  };
}

function entriesOf(result: unknown): Row[] {
  if (Array.isArray(result)) return result;
  return result !== null && typeof result === 'object' ? [result as Row] : [];
}

function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}

/** Populate as the document service hands it to the database layer. */
function databasePopulate(strapi: Core.Strapi, uid: string, populate: unknown): unknown {
  return (strapi.get('query-params').transform(uid, { populate }) as { populate?: unknown }).populate;
}

/** An explicit field selection on a localized type, with `locale` added; undefined when it has it. */
function withLocaleField(strapi: Core.Strapi, uid: string, params: { fields?: unknown }): string[] | undefined {
  if (params.fields === undefined || params.fields === '*') return undefined;
  // Any other shape is Strapi's to refuse with its 400.
  if (typeof params.fields !== 'string' && !Array.isArray(params.fields)) return undefined;
  if (!isLocalized(strapi.contentType(uid as any) as any)) return undefined;
  const fields: string[] = typeof params.fields === 'string' ? params.fields.split(',') : [...(params.fields as string[])];
  if (fields.includes('locale')) return undefined;
  return [...fields, 'locale'];
}
