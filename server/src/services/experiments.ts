import { randomUUID } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import type { ExperimentArm, ExperimentResults } from '../core/experiments';
import { InputError, parseInput } from '../errors';
import { contentTypeOf, isLocalized, uidFields, VARIANT_OF } from '../enabled-types';
import type { CoherenceService } from './coherence';
import type { ExperimentCounts } from './experiment-counts';
import type { ExperimentIndex, ExperimentRecord } from './experiment-index';
import type { VariantIndex } from './variant-index';
import { checkBase, checkDefinition, checkNoOverlap, createSchema, LOCKED, promoteSchema, updateSchema, variantsOf } from './experiment-definition';
import { copyContent } from './experiment-promotion';

const EXPERIMENT = 'plugin::personalization.experiment';

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

  async function checkKeyFree(key: string, except?: number): Promise<void> {
    const taken = await records().findOne({ select: ['id'], where: { key } });
    if (taken && taken.id !== except) throw new InputError('key', `"${key}" is already used by another experiment`);
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
      const input = parseInput(createSchema, body);
      await checkBase(strapi, input.contentType, input.baseDocumentId);
      await checkKeyFree(input.key);
      await checkDefinition(strapi, input as Parameters<typeof checkDefinition>[1]);
      const record = await records().create({ data: { ...input, status: 'draft', seed: randomUUID() } });
      await announce();
      return answer(record);
    },

    async update(id: string, body: unknown): Promise<ExperimentAnswer> {
      const input = parseInput(updateSchema, body);
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
      await checkDefinition(strapi, merged);
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
      await checkDefinition(strapi, current);
      await checkNoOverlap(strapi, current);
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
      const { arm: armKey } = parseInput(promoteSchema, body);
      const current = await findRecord(id);
      if (current.status === 'draft') throw new InputError('status', 'a draft experiment has no winner to promote; start it first');
      const arm = current.arms.find((candidate: ExperimentArm) => candidate.key === armKey);
      if (!arm) throw new InputError('arm', `no arm "${armKey}" in experiment "${current.key}"`);
      let copiedLocales: string[] = [];
      if (arm.variant !== null) {
        const variant = (await variantsOf(strapi, current.contentType, current.baseDocumentId)).find((record) => record.key === arm.variant);
        if (!variant) throw new InputError('arm', `the variant "${arm.variant}" of arm "${armKey}" no longer exists`);
        const contentType = contentTypeOf(strapi, current.contentType);
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
