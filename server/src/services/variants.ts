import type { Core, UID } from '@strapi/strapi';
import { InputError, parseInput } from '../errors';
import { VARIANT_OF, contentTypeOf, enabledTypeOr400, isLocalized, uidFields } from '../enabled-types';
import { internalWrite, outsideRequest } from '../internal';
import type { VariantIndex, VariantRecord } from './variant-index';
import { checkSettings, createSchema, reorderSchema, updateSchema } from './variant-settings';

const VARIANT = 'plugin::personalization.variant';

/** Variants: clone from a base, settings, order, deletion, and cleanup after document writes. */
const variants = ({ strapi }: { strapi: Core.Strapi }) => {
  const index = () => strapi.plugin('personalization').service('variant-index') as VariantIndex;
  const records = () => strapi.db.query(VARIANT);

  async function findRecord(id: string): Promise<VariantRecord> {
    const record = await records().findOne({ where: { documentId: id } });
    if (!record) throw new InputError('id', `no variant "${id}"`, 404);
    return record;
  }

  /**
   * Deletes the document only when each of its rows says it is a variant of this base: a stale
   * record (services/reconcile.ts) may name what is now an ordinary entry, which is never deleted.
   */
  async function deleteVariantDocument(uid: string, record: Pick<VariantRecord, 'variantDocumentId' | 'baseDocumentId' | 'key'>): Promise<void> {
    const contentType = contentTypeOf(strapi, uid);
    const documentId = record.variantDocumentId;
    const foreign = await strapi.db.query(uid as UID.Schema).count({
      where: { documentId, $or: [{ [VARIANT_OF]: null }, { [VARIANT_OF]: { $ne: record.baseDocumentId } }] },
    });
    if (foreign > 0) {
      strapi.log.warn(
        `[personalization] kept ${uid} entry ${documentId}: the record of variant "${record.key}" names it, but it is not a variant of ${record.baseDocumentId}`
      );
      return;
    }
    const localized = isLocalized(contentType);
    await strapi.documents(uid as UID.ContentType).delete(internalWrite({ documentId, ...(localized ? { locale: '*' } : {}) }));
  }

  return {
    async list(uid: string, baseDocumentId: string): Promise<VariantRecord[]> {
      enabledTypeOr400(strapi, uid);
      return records().findMany({
        where: { contentType: uid, baseDocumentId },
        orderBy: [{ priority: 'asc' }, { id: 'asc' }],
      });
    },

    /** Clones every locale of the base into a new draft document and links it, or neither. */
    async create(body: unknown): Promise<VariantRecord> {
      const input = parseInput(createSchema, body);
      const contentType = enabledTypeOr400(strapi, input.contentType);
      const uid = input.contentType;
      const base = await strapi.db.query(uid as UID.Schema).findOne({
        select: ['id', 'documentId', VARIANT_OF],
        where: { documentId: input.baseDocumentId },
      });
      if (!base) throw new InputError('baseDocumentId', `no ${uid} entry "${input.baseDocumentId}"`);
      if (base[VARIANT_OF]) throw new InputError('baseDocumentId', 'is itself a variant; create variants of its base');
      const duplicate = await records().findOne({ where: { contentType: uid, baseDocumentId: base.documentId, key: input.key } });
      if (duplicate) throw new InputError('key', `"${input.key}" is already used by a variant of this entry`);
      await checkSettings(strapi, input as Partial<VariantRecord>);

      const siblings = await records().count({ where: { contentType: uid, baseDocumentId: base.documentId } });
      const localized = isLocalized(contentType);
      const data: Record<string, unknown> = { [VARIANT_OF]: base.documentId };
      for (const field of uidFields(strapi, uid)) data[field] = `${input.key}-${base.documentId}`.toLowerCase();

      const record = await strapi.db.transaction(async () => {
        const clone = await strapi.documents(uid as UID.ContentType).clone(
          internalWrite({ documentId: base.documentId, ...(localized ? { locale: '*' } : {}), data })
        );
        if (!clone?.documentId) throw new InputError('baseDocumentId', 'the base entry could not be cloned');
        return records().create({
          data: {
            name: input.name,
            key: input.key,
            contentType: uid,
            baseDocumentId: base.documentId,
            variantDocumentId: clone.documentId,
            kind: input.kind,
            audience: input.audience ?? null,
            segments: input.segments,
            requiredPurposes: input.requiredPurposes,
            priority: input.priority ?? siblings,
            startsAt: input.startsAt,
            endsAt: input.endsAt,
            enabled: input.enabled,
            locales: input.locales,
          },
        });
      });
      await index().rebuild({ uid, base: base.documentId });
      return record;
    },

    async update(id: string, body: unknown): Promise<VariantRecord> {
      const input = parseInput(updateSchema, body);
      const current = await findRecord(id);
      await checkSettings(strapi, input as Partial<VariantRecord>, current);
      const updated = await records().update({ where: { id: current.id }, data: input });
      await index().rebuild({ uid: current.contentType, base: current.baseDocumentId });
      return updated;
    },

    /** Priorities follow the order of `keys`, which must name every variant of the base once. */
    async reorder(uid: string, baseDocumentId: string, body: unknown): Promise<VariantRecord[]> {
      const { keys } = parseInput(reorderSchema, body);
      const current = await this.list(uid, baseDocumentId);
      const byKey = new Map(current.map((record) => [record.key, record]));
      keys.forEach((key, position) => {
        if (!byKey.has(key)) throw new InputError(`keys[${position}]`, `no variant "${key}" on this entry`);
      });
      if (new Set(keys).size !== keys.length || keys.length !== current.length) {
        throw new InputError('keys', 'must list every variant of the entry exactly once');
      }
      await strapi.db.transaction(async () => {
        for (const [position, key] of keys.entries()) {
          await records().update({ where: { id: byKey.get(key)!.id }, data: { priority: position } });
        }
      });
      await index().rebuild({ uid, base: baseDocumentId });
      return this.list(uid, baseDocumentId);
    },

    /** Deletes the record and the variant document (every locale). */
    async remove(id: string): Promise<VariantRecord> {
      const record = await findRecord(id);
      await strapi.db.transaction(async () => {
        await deleteVariantDocument(record.contentType, record);
        await records().delete({ where: { id: record.id } });
      });
      await index().rebuild({ uid: record.contentType, base: record.baseDocumentId });
      return record;
    },

    /** Keeps records and the index true to documents changed anywhere (Content Manager, API, code). */
    async afterDocumentWrite(uid: string, action: string, params: { documentId?: string }): Promise<void> {
      const documentId = params?.documentId;
      if (!documentId) return;
      // A variant document changes its base's variants; a base document, its own.
      const scope = { uid, base: index().baseOf(uid, documentId) ?? documentId };
      if (action === 'delete') {
        const remaining = await strapi.db.query(uid as UID.Schema).count({ where: { documentId } });
        if (remaining > 0) return index().rebuild(scope);
        // Outside the request: a base deleted through the content API, whose rules hide variant rows.
        await outsideRequest(strapi, async () => {
          const owned = await records().findMany({ where: { contentType: uid, baseDocumentId: documentId } });
          for (const record of owned) await deleteVariantDocument(uid, record);
          await records().deleteMany({
            where: { contentType: uid, $or: [{ baseDocumentId: documentId }, { variantDocumentId: documentId }] },
          });
        });
        return index().rebuild(scope);
      }
      if (index().isVariantDocument(uid, documentId)) await index().rebuild(scope);
    },
  };
};

export type VariantsService = ReturnType<typeof variants>;
export default variants;
