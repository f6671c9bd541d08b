/**
 * What an admin may send for a variant: the request shapes, and the checks a rule, segment list,
 * purpose list, schedule and locale list must pass before anything is written.
 */
import type { Core } from '@strapi/strapi';
import { z } from 'zod';
import { personalAttributesRead, validateAudience } from '../core/rules';
import { InputError } from '../errors';
import { settings } from '../settings';
import type { VariantRecord } from './variant-index';

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

export const createSchema = z
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

export const updateSchema = z.object(settingsFields).partial().strict();

export const reorderSchema = z.object({ keys: z.array(keySchema).min(1) }).strict();

/** Each key names a segment, else a 400 naming `segments[i]`. */
export async function checkSegmentsKnown(strapi: Core.Strapi, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const found = await strapi.db.query(SEGMENT).findMany({ select: ['key'], where: { key: { $in: keys } } });
  const known = new Set(found.map((row: { key: string }) => row.key));
  keys.forEach((key, position) => {
    if (!known.has(key)) throw new InputError(`segments[${position}]`, `unknown segment "${key}"`);
  });
}

/** Everything a rule, segment list, purpose list and schedule must satisfy, checked together. */
export async function checkSettings(strapi: Core.Strapi, settingsInput: Partial<VariantRecord>, current?: VariantRecord): Promise<void> {
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
  await checkSegmentsKnown(strapi, settingsInput.segments ?? []);
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
