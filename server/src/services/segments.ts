import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { personalAttributesRead, validateAudience } from '../core/rules';
import { InputError, parseInput } from '../errors';
import { settings } from '../settings';
import type { VariantIndex, VariantRecord } from './variant-index';
import { keySchema } from './variant-settings';
import type { Segment, SegmentRecord, SegmentUser } from '../../../shared/contracts';

const SEGMENT = 'plugin::personalization.segment';
const VARIANT = 'plugin::personalization.variant';

const rule = z.unknown().refine((value) => value !== undefined && value !== null, 'a segment needs a rule');

const createSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    key: keySchema,
    description: z.string().max(2000).nullable().default(null),
    rule,
  })
  .strict();

const updateSchema = z
  .object({
    name: createSchema.shape.name,
    key: keySchema,
    description: z.string().max(2000).nullable(),
    rule,
  })
  .partial()
  .strict();

export type { Segment, SegmentRecord, SegmentUser };

type UsingVariant = Pick<VariantRecord, 'key' | 'name' | 'kind' | 'contentType' | 'baseDocumentId' | 'variantDocumentId' | 'segments'>;

/** Segments: named, reusable audience rules that variants reference by key. */
const segments = ({ strapi }: { strapi: Core.Strapi }) => {
  const index = () => strapi.plugin('personalization').service('variant-index') as VariantIndex;
  const records = () => strapi.db.query(SEGMENT);

  /** Variants by the segment keys they reference; `segments` is a JSON column, so filtered here. */
  async function usersByKey(): Promise<Map<string, UsingVariant[]>> {
    const variants: UsingVariant[] = await strapi.db.query(VARIANT).findMany({
      select: ['key', 'name', 'kind', 'contentType', 'baseDocumentId', 'variantDocumentId', 'segments'],
      orderBy: [{ contentType: 'asc' }, { baseDocumentId: 'asc' }, { priority: 'asc' }, { id: 'asc' }],
    });
    const byKey = new Map<string, UsingVariant[]>();
    for (const variant of variants) {
      for (const key of new Set(variant.segments ?? [])) {
        let users = byKey.get(key);
        if (!users) byKey.set(key, (users = []));
        users.push(variant);
      }
    }
    return byKey;
  }

  async function usersOf(key: string): Promise<SegmentUser[]> {
    return ((await usersByKey()).get(key) ?? []).map(({ segments: _, ...user }) => user);
  }

  async function findRecord(id: string): Promise<SegmentRecord> {
    const record = await records().findOne({ where: { documentId: id } });
    if (!record) throw new InputError('id', `no segment "${id}"`, 404);
    return record;
  }

  function checkRule(value: unknown): void {
    const problem = validateAudience(value, settings(strapi).catalogue);
    if (problem) throw new InputError(`rule.${problem.path}`, problem.message);
  }

  async function checkKeyFree(key: string, except?: number): Promise<void> {
    const taken = await records().findOne({ select: ['id'], where: { key } });
    if (taken && taken.id !== except) throw new InputError('key', `"${key}" is already used by another segment`);
  }

  function inUse(key: string, action: string, users: SegmentUser[]): InputError {
    const list = users.map((user) => `${user.key} (${user.contentType} ${user.baseDocumentId})`).join(', ');
    return new InputError(
      'key',
      `cannot ${action} segment "${key}": used by ${users.length} variant${users.length === 1 ? '' : 's'}: ${list}`,
      409,
      { usedBy: users }
    );
  }

  return {
    async list(): Promise<Segment[]> {
      const [rows, users] = await Promise.all([
        records().findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
        usersByKey(),
      ]);
      return rows.map((row: SegmentRecord) => {
        const usedBy = (users.get(row.key) ?? []).map(({ segments: _, ...user }) => user);
        return { ...row, usage: usedBy.length, usedBy };
      });
    },

    async findOne(id: string): Promise<Segment & { usedBy: SegmentUser[] }> {
      const record = await findRecord(id);
      const usedBy = await usersOf(record.key);
      return { ...record, usage: usedBy.length, usedBy };
    },

    async create(body: unknown): Promise<SegmentRecord> {
      const input = parseInput(createSchema, body);
      checkRule(input.rule);
      await checkKeyFree(input.key);
      const created = await records().create({ data: input });
      await index().rebuild({ segment: input.key });
      return created;
    },

    /** The key is what variants reference: renaming it is refused while any variant uses it. */
    async update(id: string, body: unknown): Promise<SegmentRecord> {
      const input = parseInput(updateSchema, body);
      const current = await findRecord(id);
      if (input.rule !== undefined) checkRule(input.rule);
      const users = await usersOf(current.key);
      if (input.key !== undefined && input.key !== current.key) {
        if (users.length > 0) throw inUse(current.key, 'rename', users);
        await checkKeyFree(input.key, current.id);
      }
      if (input.rule !== undefined) {
        // Mass variants are for everyone: their segments may not read personal attributes either.
        const personal = personalAttributesRead(input.rule, settings(strapi).catalogue);
        const mass = users.filter((user) => user.kind === 'mass');
        if (personal.length > 0 && mass.length > 0) {
          throw new InputError(
            'rule',
            `reads the personal attribute "${personal[0]}", but the mass variant${mass.length === 1 ? '' : 's'} ` +
              `${mass.map((user) => `"${user.key}"`).join(', ')} use${mass.length === 1 ? 's' : ''} this segment`
          );
        }
      }
      const updated = await records().update({ where: { id: current.id }, data: input });
      await index().rebuild({ segment: current.key });
      return updated;
    },

    /** Refused with a 409 listing the variants while any variant references the segment. */
    async remove(id: string): Promise<SegmentRecord> {
      const record = await findRecord(id);
      const users = await usersOf(record.key);
      if (users.length > 0) throw inUse(record.key, 'delete', users);
      await records().delete({ where: { id: record.id } });
      await index().rebuild({ segment: record.key });
      return record;
    },

    usersOf,
  };
};

export type SegmentsService = ReturnType<typeof segments>;
export default segments;
