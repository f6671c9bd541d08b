import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { personalAttributesRead, validateAudience } from '../core/rules';
import { InputError, parseInput } from '../errors';
import { VARIANT_OF, isLocalized, isPersonalizable, uidFields } from '../enabled-types';
import { internalWrite, outsideRequest } from '../internal';
import { settings } from '../settings';
import type { VariantIndex, VariantRecord } from './variant-index';

const VARIANT = 'plugin::personalization.variant';
const SEGMENT = 'plugin::personalization.segment';

export const keySchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'use 1–64 of a-z, 0-9, _ and -, starting with a letter or digit');
const isoDate = z.iso.datetime({ offset: true });

const settingsFields = {
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['targeted', 'mass']),
  audience: z.unknown().optional(),
  segments: z.array(keySchema).max(20),
  requiredPurposes: z.array(z.string()).max(20),
  priority: z.number().int().min(0).max(1_000_000),
  startsAt: isoDate.nullable(),
  endsAt: isoDate.nullable(),
  enabled: z.boolean(),
  locales: z.array(z.string().min(1)).nullable(),
};

const createSchema = z
  .object({
    contentType: z.string().min(1),
    baseDocumentId: z.string().min(1),
    key: keySchema,
    ...settingsFields,
    kind: settingsFields.kind.default('targeted'),
    segments: settingsFields.segments.default([]),
    requiredPurposes: settingsFields.requiredPurposes.default([]),
    priority: settingsFields.priority.optional(),
    startsAt: settingsFields.startsAt.default(null),
    endsAt: settingsFields.endsAt.default(null),
    enabled: settingsFields.enabled.default(true),
    locales: settingsFields.locales.default(null),
  })
  .strict();

const updateSchema = z.object(settingsFields).partial().strict();

const reorderSchema = z.object({ keys: z.array(keySchema).min(1) }).strict();

export type VariantInput = z.input<typeof createSchema>;

/** Parses an admin request body, or throws an InputError naming the first bad field (`segments[1]`): the plugin's one parser. */
export const parse = parseInput;

/** Variants: clone from a base, settings, order, deletion, and cleanup after document writes. */
const variants = ({ strapi }: { strapi: Core.Strapi }) => {
  const index = () => strapi.plugin('personalization').service('variant-index') as VariantIndex;
  const records = () => strapi.db.query(VARIANT);

  function contentTypeOf(uid: string) {
    const contentType = (strapi.contentTypes as Record<string, any>)[uid];
    if (!contentType || !isPersonalizable(contentType)) {
      throw new InputError('contentType', `"${uid}" is not a content type with personalization enabled`);
    }
    return contentType;
  }

  /** Everything a rule, segment list, purpose list and schedule must satisfy, checked together. */
  async function checkSettings(settingsInput: Partial<VariantRecord>, current?: VariantRecord): Promise<void> {
    const { config, catalogue } = settings(strapi);
    const merged = { ...current, ...settingsInput };
    if (settingsInput.audience !== undefined && settingsInput.audience !== null) {
      const problem = validateAudience(settingsInput.audience, catalogue);
      if (problem) throw new InputError(`audience.${problem.path}`, problem.message);
    }
    if (merged.kind === 'mass') {
      const personal = personalAttributesRead(merged.audience ?? null, catalogue);
      if (personal.length > 0) {
        throw new InputError(
          'audience',
          `a mass variant may not read the personal attribute "${personal[0]}"; make it targeted or use time, weekday, hour or locale`
        );
      }
    }
    const purposeKeys = new Set(config.purposes.map((purpose) => purpose.key));
    (settingsInput.requiredPurposes ?? []).forEach((purpose, position) => {
      if (!purposeKeys.has(purpose)) {
        throw new InputError(`requiredPurposes[${position}]`, `unknown purpose "${purpose}"`);
      }
    });
    if (settingsInput.segments && settingsInput.segments.length > 0) {
      const found = await strapi.db.query(SEGMENT).findMany({
        select: ['key'],
        where: { key: { $in: settingsInput.segments } },
      });
      const known = new Set(found.map((row: { key: string }) => row.key));
      settingsInput.segments.forEach((key, position) => {
        if (!known.has(key)) throw new InputError(`segments[${position}]`, `unknown segment "${key}"`);
      });
    }
    if (merged.kind === 'mass' && merged.segments && merged.segments.length > 0) {
      // A segment is part of the audience: a mass variant may not reach personal attributes through one.
      const rows = await strapi.db.query(SEGMENT).findMany({
        select: ['key', 'rule'],
        where: { key: { $in: merged.segments } },
      });
      const rules = new Map(rows.map((row: { key: string; rule: unknown }) => [row.key, row.rule]));
      merged.segments.forEach((key, position) => {
        const personal = personalAttributesRead(rules.get(key) ?? null, catalogue);
        if (personal.length > 0) {
          throw new InputError(
            `segments[${position}]`,
            `a mass variant may not use segment "${key}": it reads the personal attribute "${personal[0]}"`
          );
        }
      });
    }
    if (merged.startsAt && merged.endsAt && Date.parse(merged.startsAt) >= Date.parse(merged.endsAt)) {
      throw new InputError('endsAt', 'must be after startsAt');
    }
    if (settingsInput.locales) {
      const locales = await strapi.plugin('i18n')?.service('locales').find();
      const codes = new Set((locales ?? []).map((locale: { code: string }) => locale.code));
      settingsInput.locales.forEach((code, position) => {
        if (!codes.has(code)) throw new InputError(`locales[${position}]`, `unknown locale "${code}"`);
      });
    }
  }

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
    const contentType = (strapi.contentTypes as Record<string, any>)[uid];
    const documentId = record.variantDocumentId;
    const foreign = await strapi.db.query(uid as any).count({
      where: { documentId, $or: [{ [VARIANT_OF]: null }, { [VARIANT_OF]: { $ne: record.baseDocumentId } }] },
    });
    if (foreign > 0) {
      strapi.log.warn(
        `[personalization] kept ${uid} entry ${documentId}: the record of variant "${record.key}" names it, but it is not a variant of ${record.baseDocumentId}`
      );
      return;
    }
    const localized = isLocalized(contentType);
    await strapi.documents(uid as any).delete(internalWrite({ documentId, ...(localized ? { locale: '*' } : {}) }) as any);
  }

  return {
    async list(uid: string, baseDocumentId: string): Promise<VariantRecord[]> {
      contentTypeOf(uid);
      return records().findMany({
        where: { contentType: uid, baseDocumentId },
        orderBy: [{ priority: 'asc' }, { id: 'asc' }],
      });
    },

    /** Clones every locale of the base into a new draft document and links it, or neither. */
    async create(body: unknown): Promise<VariantRecord> {
      const input = parse(createSchema, body);
      const contentType = contentTypeOf(input.contentType);
      const uid = input.contentType;
      const base = await strapi.db.query(uid as any).findOne({
        select: ['id', 'documentId', VARIANT_OF],
        where: { documentId: input.baseDocumentId },
      });
      if (!base) throw new InputError('baseDocumentId', `no ${uid} entry "${input.baseDocumentId}"`);
      if (base[VARIANT_OF]) throw new InputError('baseDocumentId', 'is itself a variant; create variants of its base');
      const duplicate = await records().findOne({ where: { contentType: uid, baseDocumentId: base.documentId, key: input.key } });
      if (duplicate) throw new InputError('key', `"${input.key}" is already used by a variant of this entry`);
      await checkSettings(input as Partial<VariantRecord>);

      const siblings = await records().count({ where: { contentType: uid, baseDocumentId: base.documentId } });
      const localized = isLocalized(contentType);
      const data: Record<string, unknown> = { [VARIANT_OF]: base.documentId };
      for (const field of uidFields(strapi, uid)) data[field] = `${input.key}-${base.documentId}`.toLowerCase();

      const record = await strapi.db.transaction(async () => {
        const clone = await strapi.documents(uid as any).clone(
          internalWrite({ documentId: base.documentId, ...(localized ? { locale: '*' } : {}), data }) as any
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
      const input = parse(updateSchema, body);
      const current = await findRecord(id);
      await checkSettings(input as Partial<VariantRecord>, current);
      const updated = await records().update({ where: { id: current.id }, data: input });
      await index().rebuild({ uid: current.contentType, base: current.baseDocumentId });
      return updated;
    },

    /** Priorities follow the order of `keys`, which must name every variant of the base once. */
    async reorder(uid: string, baseDocumentId: string, body: unknown): Promise<VariantRecord[]> {
      const { keys } = parse(reorderSchema, body);
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
        const remaining = await strapi.db.query(uid as any).count({ where: { documentId } });
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
