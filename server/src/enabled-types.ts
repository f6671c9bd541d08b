import type { Core, UID } from '@strapi/strapi';
import { InputError } from './errors';

/** The hidden attribute that marks a document as a variant: the base's documentId, null on bases. */
export const VARIANT_OF = 'variantOf';

export function isPersonalizable(contentType: { pluginOptions?: unknown } | undefined): boolean {
  const options = contentType?.pluginOptions as { personalization?: { enabled?: unknown } } | undefined;
  return options?.personalization?.enabled === true;
}

export function isLocalized(contentType: { pluginOptions?: unknown } | undefined): boolean {
  const options = contentType?.pluginOptions as { i18n?: { localized?: unknown } } | undefined;
  return options?.i18n?.localized === true;
}

export function hasDraftAndPublish(contentType: { options?: unknown } | undefined): boolean {
  return (contentType?.options as { draftAndPublish?: unknown } | undefined)?.draftAndPublish === true;
}

/** The locale a read addresses: the requested one, else i18n's default; null for types without i18n. */
export async function localeFor(
  strapi: Core.Strapi,
  contentType: { pluginOptions?: unknown },
  requested: string | null | undefined
): Promise<string | null> {
  if (!isLocalized(contentType)) return null;
  if (requested) return requested;
  return ((await strapi.plugin('i18n')?.service('locales').getDefaultLocale()) as string | undefined) ?? null;
}

/** A content type's schema as the plugin reads it. */
export interface ContentTypeSchema {
  kind: 'collectionType' | 'singleType';
  info: { singularName: string; pluralName: string; displayName?: string };
  options?: unknown;
  pluginOptions?: unknown;
  attributes: Record<string, { type: string; [key: string]: unknown }>;
}

/** The schema of `uid`, or undefined when there is no such content type. */
export function contentTypeOf(strapi: Core.Strapi, uid: string): ContentTypeSchema | undefined {
  return (strapi.contentTypes as Record<string, unknown>)[uid] as ContentTypeSchema | undefined;
}

/** The title field the Content Manager is configured with, or a sensible fallback. */
export async function mainFieldOf(strapi: Core.Strapi, uid: string): Promise<string> {
  const contentType = contentTypeOf(strapi, uid)!;
  try {
    const configuration = await strapi.plugin('content-manager').service('content-types').findConfiguration({ uid });
    const configured = configuration?.settings?.mainField;
    if (typeof configured === 'string' && contentType.attributes[configured]) return configured;
  } catch {
    // Configuration not synced yet: fall through to the first text field.
  }
  const text = Object.keys(contentType.attributes).find((name) => contentType.attributes[name].type === 'string');
  return text ?? 'documentId';
}

function enabledTypeOr(status: 400 | 404, strapi: Core.Strapi, uid: string): ContentTypeSchema {
  const contentType = contentTypeOf(strapi, uid);
  if (!contentType || !isPersonalizable(contentType)) {
    throw new InputError('contentType', `"${uid}" is not a content type with personalization enabled`, status);
  }
  return contentType;
}

/** The schema of `uid` named in a path, when personalization is enabled for it; else a 404 naming `contentType`. */
export const enabledTypeOr404 = (strapi: Core.Strapi, uid: string) => enabledTypeOr(404, strapi, uid);

/** The same for a type named in a request body: a 400 naming the field `contentType`. */
export const enabledTypeOr400 = (strapi: Core.Strapi, uid: string) => enabledTypeOr(400, strapi, uid);

/** Uids of the content types that opted in, read once after register. */
export function enabledTypes(strapi: Core.Strapi): string[] {
  return Object.entries(strapi.contentTypes)
    .filter(([, contentType]) => isPersonalizable(contentType))
    .map(([uid]) => uid);
}

/**
 * A per-type list computed on first use and kept: `strapi.contentTypes` builds a fresh object on
 * every read, and these are asked for on every content-API read.
 */
function perType(compute: (strapi: Core.Strapi, uid: string) => string[]): (strapi: Core.Strapi, uid: string) => string[] {
  const byStrapi = new WeakMap<object, Map<string, string[]>>();
  return (strapi, uid) => {
    let byType = byStrapi.get(strapi);
    if (!byType) byStrapi.set(strapi, (byType = new Map()));
    let list = byType.get(uid);
    if (!list) byType.set(uid, (list = compute(strapi, uid)));
    return list;
  };
}

/** The uid fields a served variant takes from its base, so links and slugs stay stable. */
export const uidFields = perType((strapi, uid) => {
  const { attributes } = strapi.contentType(uid as UID.ContentType) as unknown as { attributes: Record<string, { type: string }> };
  return Object.keys(attributes).filter((name) => attributes[name].type === 'uid');
});

/**
 * Every attribute a `select *` reads into an entry (those stored in a column of the type's own
 * table), except the hidden `variantOf`.
 */
export const columnsOf = perType((strapi, uid) => {
  const { attributes } = strapi.db.metadata.get(uid) as unknown as {
    attributes: Record<string, { type: string; columnName?: string; unstable_virtual?: boolean }>;
  };
  return Object.keys(attributes).filter((name) => {
    const attribute = attributes[name];
    return name !== VARIANT_OF && attribute.type !== 'relation' && !attribute.unstable_virtual && 'columnName' in attribute;
  });
});
