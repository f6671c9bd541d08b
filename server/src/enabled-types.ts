import type { Core } from '@strapi/strapi';

/** The hidden attribute that marks a document as a variant: the base's documentId, null on bases. */
export const VARIANT_OF = 'variantOf';

export function isPersonalizable(contentType: { pluginOptions?: unknown } | undefined): boolean {
  const options = contentType?.pluginOptions as { personalization?: { enabled?: unknown } } | undefined;
  return options?.personalization?.enabled === true;
}

/** Uids of the content types that opted in, read once after register. */
export function enabledTypes(strapi: Core.Strapi): string[] {
  return Object.entries(strapi.contentTypes)
    .filter(([, contentType]) => isPersonalizable(contentType))
    .map(([uid]) => uid);
}

/** The uid fields a served variant takes from its base, so links and slugs stay stable. */
export function uidFields(strapi: Core.Strapi, uid: string): string[] {
  const attributes = (strapi.contentTypes as unknown as Record<string, { attributes: Record<string, { type: string }> }>)[uid]
    .attributes;
  return Object.keys(attributes).filter((name) => attributes[name].type === 'uid');
}
