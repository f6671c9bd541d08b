import type { Core, UID } from '@strapi/strapi';
import { InputError } from '../errors';
import { VARIANT_OF, enabledTypes } from '../enabled-types';
import type { DetachedVariant } from '../../../shared/contracts/upkeep';
import type { VariantRecord } from './variant-index';

const VARIANT = 'plugin::personalization.variant';
const DETACHED = 'plugin::personalization.detached-variant';

/** Why `detached` cannot be linked again, or null. */
export async function relinkRefusal(strapi: Core.Strapi, detached: DetachedVariant): Promise<string | null> {
  const uid = detached.contentType;
  if (!enabledTypes(strapi).includes(uid)) return `"${uid}" is not a content type with personalization enabled`;
  const query = strapi.db.query(uid as UID.Schema);
  const rows = (await query.findMany({
    select: ['documentId', VARIANT_OF],
    where: { documentId: detached.variantDocumentId, [VARIANT_OF]: { $null: true } },
  })) as Array<Record<string, unknown>>;
  const marked = await query.count({ where: { documentId: detached.variantDocumentId, [VARIANT_OF]: { $notNull: true } } });
  if (rows.length === 0 && marked === 0) return `the entry "${detached.variantDocumentId}" no longer exists`;
  if (marked > 0) return `the entry "${detached.variantDocumentId}" is already a variant`;
  const base = (await query.findOne({
    select: ['documentId', VARIANT_OF],
    where: { documentId: detached.baseDocumentId, [VARIANT_OF]: { $null: true } },
  })) as Record<string, unknown> | null;
  if (!base) return `the base entry "${detached.baseDocumentId}" does not exist or is a variant`;
  const records = strapi.db.query(VARIANT);
  if (await records.count({ where: { contentType: uid, baseDocumentId: detached.variantDocumentId } })) {
    return `the entry "${detached.variantDocumentId}" has variants of its own`;
  }
  if (await records.count({ where: { contentType: uid, baseDocumentId: detached.baseDocumentId, key: detached.key } })) {
    return `the key "${detached.key}" is used by another variant of the base entry`;
  }
  return null;
}

/** Links a detached record again: its entry becomes a variant of its base, the record is restored as it was; a 409 naming why not. */
export async function relinkDetached(strapi: Core.Strapi, detached: DetachedVariant): Promise<VariantRecord> {
  const refusal = await relinkRefusal(strapi, detached);
  if (refusal) throw new InputError('id', refusal, 409);
  const kept = detached.record ?? {};
  const data: Record<string, unknown> = {
    contentType: detached.contentType,
    baseDocumentId: detached.baseDocumentId,
    variantDocumentId: detached.variantDocumentId,
    name: kept.name ?? detached.name ?? detached.key,
    key: detached.key,
    kind: kept.kind ?? 'targeted',
    audience: kept.audience ?? null,
    segments: kept.segments ?? [],
    requiredPurposes: kept.requiredPurposes ?? [],
    priority: kept.priority ?? 0,
    startsAt: kept.startsAt ?? null,
    endsAt: kept.endsAt ?? null,
    enabled: kept.enabled ?? true,
    locales: kept.locales ?? null,
  };
  for (const field of ['createdAt', 'updatedAt', 'publishedAt'] as const) if (kept[field]) data[field] = kept[field];
  if (kept.documentId && !(await strapi.db.query(VARIANT).count({ where: { documentId: kept.documentId } }))) {
    data.documentId = kept.documentId;
  }
  return strapi.db.transaction(async () => {
    await strapi.db
      .query(detached.contentType as UID.Schema)
      .updateMany({ where: { documentId: detached.variantDocumentId }, data: { [VARIANT_OF]: detached.baseDocumentId } });
    const record = (await strapi.db.query(VARIANT).create({ data })) as VariantRecord;
    await strapi.db.query(DETACHED).delete({ where: { id: detached.id } });
    return record;
  });
}
