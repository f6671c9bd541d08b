import type { Core } from '@strapi/strapi';

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

/** Uids of the content types that opted in, read once after register. */
export function enabledTypes(strapi: Core.Strapi): string[] {
  return Object.entries(strapi.contentTypes)
    .filter(([, contentType]) => isPersonalizable(contentType))
    .map(([uid]) => uid);
}

const uidFieldsByType = new WeakMap<object, Map<string, string[]>>();

/**
 * The uid fields a served variant takes from its base, so links and slugs stay stable.
 * Computed once per type: `strapi.contentTypes` builds a fresh object on every read.
 */
export function uidFields(strapi: Core.Strapi, uid: string): string[] {
  let byType = uidFieldsByType.get(strapi);
  if (!byType) uidFieldsByType.set(strapi, (byType = new Map()));
  let fields = byType.get(uid);
  if (!fields) {
    const attributes = (strapi.contentType(uid as any) as unknown as { attributes: Record<string, { type: string }> })
      .attributes;
    fields = Object.keys(attributes).filter((name) => attributes[name].type === 'uid');
    byType.set(uid, fields);
  }
  return fields;
}

const columnsByType = new WeakMap<object, Map<string, string[]>>();

/**
 * Every attribute a `select *` reads into an entry (those stored in a column of the type's own
 * table), except the hidden `variantOf`. Computed once per type.
 */
export function columnsOf(strapi: Core.Strapi, uid: string): string[] {
  let byType = columnsByType.get(strapi);
  if (!byType) columnsByType.set(strapi, (byType = new Map()));
  let columns = byType.get(uid);
  if (!columns) {
    const { attributes } = strapi.db.metadata.get(uid) as unknown as {
      attributes: Record<string, { type: string; columnName?: string; unstable_virtual?: boolean }>;
    };
    columns = Object.keys(attributes).filter((name) => {
      const attribute = attributes[name];
      return name !== VARIANT_OF && attribute.type !== 'relation' && !attribute.unstable_virtual && 'columnName' in attribute;
    });
    byType.set(uid, columns);
  }
  return columns;
}
