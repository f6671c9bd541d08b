import type { Core, UID } from '@strapi/strapi';
import { contentTypeOf, hasDraftAndPublish } from '../enabled-types';
import { outsideRequest } from '../internal';

/** Fields that belong to a document row rather than to its content. */
const BOOKKEEPING = new Set(['id', 'documentId', 'createdAt', 'updatedAt', 'publishedAt', 'createdBy', 'updatedBy', 'locale', 'localizations']);

/** A schema attribute, as much of it as the copy reads. */
interface Attribute {
  type: string;
  component?: string;
  components?: string[];
  relation?: string;
  target?: string;
}
type Attributes = Record<string, Attribute>;

function componentAttributes(strapi: Core.Strapi, uid: string): Attributes {
  return ((strapi.components as unknown as Record<string, { attributes?: Attributes } | undefined>)[uid]?.attributes ?? {});
}

function isCopiedRelation(attribute: Attribute): boolean {
  return attribute.type === 'relation' && !String(attribute.relation).startsWith('morph') && !String(attribute.target ?? '').startsWith('admin::');
}

/** What to read of a document so every field can be written back: components and zones at any depth, relations and media by id. */
function populateOf(strapi: Core.Strapi, attributes: Attributes): Record<string, unknown> {
  const populate: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    if (BOOKKEEPING.has(name)) continue;
    if (attribute.type === 'component') {
      populate[name] = { populate: populateOf(strapi, componentAttributes(strapi, attribute.component!)) };
    } else if (attribute.type === 'dynamiczone') {
      populate[name] = {
        on: Object.fromEntries(
          (attribute.components as string[]).map((uid) => [uid, { populate: populateOf(strapi, componentAttributes(strapi, uid)) }])
        ),
      };
    } else if (attribute.type === 'media' || isCopiedRelation(attribute)) {
      populate[name] = true;
    }
  }
  return populate;
}

/** A read document as document-service input: relations by documentId, media by id, components without their ids. */
function toInput(strapi: Core.Strapi, value: Record<string, any>, attributes: Attributes, keep: ReadonlySet<string>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    if (BOOKKEEPING.has(name) || keep.has(name) || !(name in value)) continue;
    const field = value[name];
    if (attribute.type === 'relation') {
      if (!isCopiedRelation(attribute)) continue;
      data[name] = Array.isArray(field) ? field.map((entry) => entry.documentId) : (field?.documentId ?? null);
    } else if (attribute.type === 'media') {
      data[name] = Array.isArray(field) ? field.map((entry) => entry.id) : (field?.id ?? null);
    } else if (attribute.type === 'component') {
      const inner = componentAttributes(strapi, attribute.component!);
      data[name] = Array.isArray(field)
        ? field.map((entry) => toInput(strapi, entry, inner, new Set()))
        : field
          ? toInput(strapi, field, inner, new Set())
          : null;
    } else if (attribute.type === 'dynamiczone') {
      data[name] = (field ?? []).map((entry: Record<string, any>) => ({
        __component: entry.__component,
        ...toInput(strapi, entry, componentAttributes(strapi, entry.__component), new Set()),
      }));
    } else {
      data[name] = field;
    }
  }
  return data;
}

/**
 * Copies the content of one document (its drafts, in every locale it has) over another's drafts:
 * the promotion of an experiment's winning variant into its base. Fields in `keep` (uid fields,
 * the variant link) stay the target's. Returns the locales copied ('' for a type without i18n).
 */
export async function copyContent(
  strapi: Core.Strapi,
  uid: string,
  fromDocumentId: string,
  toDocumentId: string,
  { localized, keep }: { localized: boolean; keep: ReadonlySet<string> }
): Promise<string[]> {
  const contentType = contentTypeOf(strapi, uid)!;
  const attributes = contentType.attributes as Attributes;
  const draftAndPublish = hasDraftAndPublish(contentType);
  const populate = populateOf(strapi, attributes);
  return outsideRequest(strapi, async () => {
    const rows: Array<{ locale?: string | null }> = await strapi.db.query(uid as UID.Schema).findMany({
      select: localized ? ['locale'] : ['id'],
      where: { documentId: fromDocumentId, ...(draftAndPublish ? { publishedAt: null } : {}) },
    });
    const locales = localized ? [...new Set(rows.map((row) => row.locale ?? ''))].sort() : rows.length > 0 ? [''] : [];
    const documents = strapi.documents(uid as any) as any;
    for (const locale of locales) {
      const where = { ...(localized ? { locale } : {}), ...(draftAndPublish ? { status: 'draft' } : {}) };
      const source = await documents.findOne({ documentId: fromDocumentId, ...where, populate });
      if (!source) continue;
      // An update writes the draft; the published version stays until the editor publishes.
      await documents.update({ documentId: toDocumentId, ...(localized ? { locale } : {}), data: toInput(strapi, source, attributes, keep) });
    }
    return locales;
  });
}
