import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { armProblems, type ExperimentArm, type ExperimentResults } from '../core/experiments';
import { validateRule } from '../core/rules';
import { InputError } from '../errors';
import { isLocalized, isPersonalizable, uidFields, VARIANT_OF } from '../enabled-types';
import { settings } from '../settings';
import type { CoherenceService } from './coherence';
import type { ExperimentCounts } from './experiment-counts';
import type { ExperimentIndex, ExperimentRecord } from './experiment-index';
import type { VariantIndex, VariantRecord } from './variant-index';
import { keySchema, parse } from './variants';
import { copyContent } from './experiment-promotion';

const EXPERIMENT = 'plugin::personalization.experiment';
const VARIANT = 'plugin::personalization.variant';
const SEGMENT = 'plugin::personalization.segment';

const armSchema = z
  .object({
    key: keySchema,
    variant: keySchema.nullable(),
    weight: z.number().min(0).max(1),
  })
  .strict();

const fields = {
  name: z.string().trim().min(1).max(200),
  key: keySchema,
  arms: z.array(armSchema).max(20),
  coverage: z.number().min(0).max(1),
  goals: z.array(keySchema).max(20),
  audience: z.unknown().nullable(),
  segments: z.array(keySchema).max(20),
};

const createSchema = z
  .object({
    contentType: z.string().min(1),
    baseDocumentId: z.string().min(1),
    ...fields,
    coverage: fields.coverage.default(1),
    goals: fields.goals.default([]),
    audience: fields.audience.default(null),
    segments: fields.segments.default([]),
  })
  .strict();

const updateSchema = z.object(fields).partial().strict();

const promoteSchema = z.object({ arm: keySchema }).strict();

/** What a running or stopped experiment no longer lets anyone change: its results would mean something else. */
const LOCKED = ['key', 'arms', 'coverage', 'audience', 'segments'] as const;

export interface ExperimentAnswer extends Omit<ExperimentRecord, 'goals' | 'segments'> {
  goals: string[];
  segments: string[];
}

function answer(record: ExperimentRecord): ExperimentAnswer {
  return { ...record, coverage: Number(record.coverage), goals: record.goals ?? [], segments: record.segments ?? [] };
}

/** Experiments: definition, lifecycle (draft → running → stopped), results and promotion of a winner. */
const experiments = ({ strapi }: { strapi: Core.Strapi }) => {
  const plugin = () => strapi.plugin('personalization');
  const records = () => strapi.db.query(EXPERIMENT);
  const counts = () => plugin().service('experiment-counts') as ExperimentCounts;

  /** Delivery reads running experiments from memory: reload here, on every instance, with the variant index. */
  async function announce(): Promise<void> {
    const coherence = plugin().service('coherence') as CoherenceService;
    await coherence.announce({ kind: 'variants' }, async () => {
      await (plugin().service('variant-index') as VariantIndex).refresh();
      await (plugin().service('experiment-index') as ExperimentIndex).refresh();
    });
  }

  async function findRecord(id: string): Promise<ExperimentRecord> {
    const record = await records().findOne({ where: { documentId: id } });
    if (!record) throw new InputError('id', `no experiment "${id}"`, 404);
    return record;
  }

  async function variantsOf(uid: string, baseDocumentId: string): Promise<VariantRecord[]> {
    return strapi.db.query(VARIANT).findMany({ where: { contentType: uid, baseDocumentId } });
  }

  async function checkBase(uid: string, baseDocumentId: string): Promise<void> {
    const contentType = (strapi.contentTypes as Record<string, any>)[uid];
    if (!contentType || !isPersonalizable(contentType)) {
      throw new InputError('contentType', `"${uid}" is not a content type with personalization enabled`);
    }
    const base = await strapi.db.query(uid as any).findOne({ select: ['id', VARIANT_OF], where: { documentId: baseDocumentId } });
    if (!base) throw new InputError('baseDocumentId', `no ${uid} entry "${baseDocumentId}"`);
    if (base[VARIANT_OF]) throw new InputError('baseDocumentId', 'is itself a variant; experiment on its base');
  }

  async function checkDefinition(definition: Pick<ExperimentRecord, 'contentType' | 'baseDocumentId' | 'arms'> & { audience?: unknown; segments?: string[] | null }): Promise<void> {
    const variantKeys = new Set((await variantsOf(definition.contentType, definition.baseDocumentId)).map((variant) => variant.key));
    const problems = armProblems(definition.arms, variantKeys);
    if (problems.length > 0) throw new InputError(problems[0].field, problems[0].message, 400, { problems });
    if (definition.audience !== undefined && definition.audience !== null) {
      const problem = validateRule(definition.audience, settings(strapi).catalogue);
      if (problem) throw new InputError(`audience.${problem.path}`, problem.message);
    }
    const segmentKeys = definition.segments ?? [];
    if (segmentKeys.length > 0) {
      const found = await strapi.db.query(SEGMENT).findMany({ select: ['key'], where: { key: { $in: segmentKeys } } });
      const known = new Set(found.map((row: { key: string }) => row.key));
      segmentKeys.forEach((key, position) => {
        if (!known.has(key)) throw new InputError(`segments[${position}]`, `unknown segment "${key}"`);
      });
    }
  }

  async function checkKeyFree(key: string, except?: number): Promise<void> {
    const taken = await records().findOne({ select: ['id'], where: { key } });
    if (taken && taken.id !== except) throw new InputError('key', `"${key}" is already used by another experiment`);
  }

  /** A base serves one experiment at a time, so no variant is ever in two running experiments. */
  async function checkNoOverlap(record: ExperimentRecord): Promise<void> {
    const others: ExperimentRecord[] = await records().findMany({
      where: { contentType: record.contentType, baseDocumentId: record.baseDocumentId, status: 'running', id: { $ne: record.id } },
    });
    for (const other of others) {
      const theirs = new Set(other.arms.map((arm) => arm.variant));
      const shared = record.arms.findIndex((arm) => arm.variant !== null && theirs.has(arm.variant));
      if (shared !== -1) {
        throw new InputError(
          `arms[${shared}].variant`,
          `variant "${record.arms[shared].variant}" is already in running experiment "${other.key}"; stop that one first`
        );
      }
      throw new InputError('baseDocumentId', `this entry already runs experiment "${other.key}"; stop that one first`);
    }
  }

  return {
    async list(filter: { contentType?: unknown; baseDocumentId?: unknown } = {}): Promise<ExperimentAnswer[]> {
      const where: Record<string, string> = {};
      if (typeof filter.contentType === 'string') where.contentType = filter.contentType;
      if (typeof filter.baseDocumentId === 'string') where.baseDocumentId = filter.baseDocumentId;
      const rows: ExperimentRecord[] = await records().findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
      return rows.map(answer);
    },

    async findOne(id: string): Promise<ExperimentAnswer> {
      return answer(await findRecord(id));
    },

    async create(body: unknown): Promise<ExperimentAnswer> {
      const input = parse(createSchema, body);
      await checkBase(input.contentType, input.baseDocumentId);
      await checkKeyFree(input.key);
      await checkDefinition(input as Parameters<typeof checkDefinition>[0]);
      const record = await records().create({ data: { ...input, status: 'draft', seed: randomUUID() } });
      await announce();
      return answer(record);
    },

    async update(id: string, body: unknown): Promise<ExperimentAnswer> {
      const input = parse(updateSchema, body);
      const current = await findRecord(id);
      if (current.status !== 'draft') {
        const locked = LOCKED.find((field) => input[field] !== undefined);
        if (locked) {
          throw new InputError(
            locked,
            current.status === 'running'
              ? `cannot change ${locked} of a running experiment; stop it and create a new one`
              : `cannot change ${locked} of a stopped experiment; its results were measured with the old value`
          );
        }
      }
      if (input.key !== undefined) await checkKeyFree(input.key, current.id);
      const merged = { ...current, ...input } as ExperimentRecord;
      await checkDefinition(merged);
      const updated = await records().update({ where: { id: current.id }, data: input });
      await announce();
      return answer(updated);
    },

    async remove(id: string): Promise<ExperimentAnswer> {
      const current = await findRecord(id);
      await records().delete({ where: { id: current.id } });
      await counts().removeOf(current.documentId);
      await announce();
      return answer(current);
    },

    async start(id: string): Promise<ExperimentAnswer> {
      const current = await findRecord(id);
      if (current.status !== 'draft') throw new InputError('status', `only a draft experiment can start; this one is ${current.status}`);
      // Variants may have been deleted since the experiment was saved.
      await checkDefinition(current);
      await checkNoOverlap(current);
      const updated = await records().update({ where: { id: current.id }, data: { status: 'running', startedAt: new Date() } });
      await announce();
      return answer(updated);
    },

    async stop(id: string): Promise<ExperimentAnswer> {
      const current = await findRecord(id);
      if (current.status !== 'running') throw new InputError('status', `only a running experiment can stop; this one is ${current.status}`);
      const updated = await records().update({ where: { id: current.id }, data: { status: 'stopped', stoppedAt: new Date() } });
      await announce();
      return answer(updated);
    },

    /**
     * Copies the winning arm's variant content into the base entry as a new draft in every locale
     * the variant has (published versions stay as they are, for the editor to publish), and stops
     * the experiment. The base arm wins without a copy.
     */
    async promote(id: string, body: unknown): Promise<ExperimentAnswer & { copiedLocales: string[] }> {
      const { arm: armKey } = parse(promoteSchema, body);
      const current = await findRecord(id);
      if (current.status === 'draft') throw new InputError('status', 'a draft experiment has no winner to promote; start it first');
      const arm = current.arms.find((candidate: ExperimentArm) => candidate.key === armKey);
      if (!arm) throw new InputError('arm', `no arm "${armKey}" in experiment "${current.key}"`);
      let copiedLocales: string[] = [];
      if (arm.variant !== null) {
        const variant = (await variantsOf(current.contentType, current.baseDocumentId)).find((record) => record.key === arm.variant);
        if (!variant) throw new InputError('arm', `the variant "${arm.variant}" of arm "${armKey}" no longer exists`);
        const contentType = (strapi.contentTypes as Record<string, any>)[current.contentType];
        copiedLocales = await copyContent(strapi, current.contentType, variant.variantDocumentId, current.baseDocumentId, {
          localized: isLocalized(contentType),
          keep: new Set([...uidFields(strapi, current.contentType), VARIANT_OF]),
        });
      }
      const updated = await records().update({
        where: { id: current.id },
        data: { status: 'stopped', promotedArm: armKey, ...(current.status === 'running' ? { stoppedAt: new Date() } : {}) },
      });
      await announce();
      return { ...answer(updated), copiedLocales };
    },

    async results(id: string): Promise<{ experiment: ExperimentAnswer; results: ExperimentResults }> {
      const current = await findRecord(id);
      const results = await counts().resultsOf(current.documentId, current.arms, current.goals ?? []);
      return { experiment: answer(current), results };
    },
  };
};

export type ExperimentsService = ReturnType<typeof experiments>;
export default experiments;
