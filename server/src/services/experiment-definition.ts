/**
 * What an experiment must be before it is saved or started: the request shapes, an enabled base
 * that is not a variant, arms naming its variants, a valid audience, known segments, and no other
 * running experiment on the same base.
 */
import type { Core, UID } from '@strapi/strapi';
import { z } from 'zod';
import { armProblems } from '../core/experiments';
import { validateRule } from '../core/rules';
import { InputError } from '../errors';
import { enabledTypeOr400, VARIANT_OF } from '../enabled-types';
import { settings } from '../settings';
import type { ExperimentRecord } from './experiment-index';
import type { VariantRecord } from './variant-index';
import { checkSegmentsKnown, keySchema } from './variant-settings';

const EXPERIMENT = 'plugin::personalization.experiment';
const VARIANT = 'plugin::personalization.variant';

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

export const createSchema = z
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

export const updateSchema = z.object(fields).partial().strict();

export const promoteSchema = z.object({ arm: keySchema }).strict();

/** What a running or stopped experiment no longer lets anyone change: its results would mean something else. */
export const LOCKED = ['key', 'arms', 'coverage', 'audience', 'segments'] as const;

export async function variantsOf(strapi: Core.Strapi, uid: string, baseDocumentId: string): Promise<VariantRecord[]> {
  return strapi.db.query(VARIANT).findMany({ where: { contentType: uid, baseDocumentId } });
}

export async function checkBase(strapi: Core.Strapi, uid: string, baseDocumentId: string): Promise<void> {
  enabledTypeOr400(strapi, uid);
  const base = await strapi.db.query(uid as UID.Schema).findOne({ select: ['id', VARIANT_OF], where: { documentId: baseDocumentId } });
  if (!base) throw new InputError('baseDocumentId', `no ${uid} entry "${baseDocumentId}"`);
  if (base[VARIANT_OF]) throw new InputError('baseDocumentId', 'is itself a variant; experiment on its base');
}

export async function checkDefinition(strapi: Core.Strapi, definition: Pick<ExperimentRecord, 'contentType' | 'baseDocumentId' | 'arms'> & { audience?: unknown; segments?: string[] | null }): Promise<void> {
  const variantKeys = new Set((await variantsOf(strapi, definition.contentType, definition.baseDocumentId)).map((variant) => variant.key));
  const problems = armProblems(definition.arms, variantKeys);
  if (problems.length > 0) throw new InputError(problems[0].field, problems[0].message, 400, { problems });
  if (definition.audience !== undefined && definition.audience !== null) {
    const problem = validateRule(definition.audience, settings(strapi).catalogue);
    if (problem) throw new InputError(`audience.${problem.path}`, problem.message);
  }
  await checkSegmentsKnown(strapi, definition.segments ?? []);
}

/** A base serves one experiment at a time, so no variant is ever in two running experiments. */
export async function checkNoOverlap(strapi: Core.Strapi, record: ExperimentRecord): Promise<void> {
  const others: ExperimentRecord[] = await strapi.db.query(EXPERIMENT).findMany({
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
