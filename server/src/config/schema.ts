import { z } from 'zod';
import { DEFAULT_PURPOSES, BUILTIN_ATTRIBUTES } from '../core/catalogue';

const key = z
  .string()
  .regex(/^[a-z][a-zA-Z0-9_-]{0,63}$/, 'must start with a lower-case letter and use [a-zA-Z0-9_-]');

const purposeSchema = z.object({
  key,
  title: z.string().min(1),
  description: z.string().default(''),
});

/** README "Attribute catalogue": `values` for string and string[], `min`/`max` for number, `labels` for any values. */
const attributeSchema = z
  .object({
    type: z.enum(['string', 'number', 'boolean', 'string[]', 'date', 'version']),
    source: z.enum(['token', 'context']),
    purpose: key,
    title: z.string().trim().min(1).max(200).optional(),
    description: z.string().optional(),
    values: z.array(z.string().min(1).max(200)).min(1).max(1000).optional(),
    labels: z.record(z.string(), z.string().min(1).max(200)).optional(),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
  })
  .strict()
  .superRefine((attribute, ctx) => {
    const { type, values, labels, min, max } = attribute;
    if (values && type !== 'string' && type !== 'string[]') {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `only a string or string[] attribute has values, not a ${type}` });
    }
    values?.forEach((value, i) => {
      if (values.indexOf(value) !== i) ctx.addIssue({ code: 'custom', path: ['values', i], message: `duplicate value "${value}"` });
    });
    for (const [bound, value] of [['min', min], ['max', max]] as const) {
      if (value !== undefined && type !== 'number') {
        ctx.addIssue({ code: 'custom', path: [bound], message: `only a number attribute has ${bound}, not a ${type}` });
      }
    }
    if (min !== undefined && max !== undefined && min > max) ctx.addIssue({ code: 'custom', path: ['max'], message: `must be at least min (${min})` });
    for (const value of Object.keys(labels ?? {})) {
      if (values && !values.includes(value)) ctx.addIssue({ code: 'custom', path: ['labels', value], message: `"${value}" is not one of values` });
    }
  });

const jwkSchema = z
  .object({ kty: z.string(), kid: z.string().min(1), alg: z.string().optional() })
  .passthrough();

const issuerSchema = z.object({
  issuer: z.string().min(1),
  audience: z.string().min(1).optional(),
  algorithms: z.array(z.enum(['EdDSA', 'ES256'])).min(1).default(['EdDSA', 'ES256']),
  /** Public keys, each with a `kid`; several at once allow rotation. */
  keys: z.array(jwkSchema).min(1),
});

const tcfPurposeIds = z.array(z.number().int().min(1).max(11)).min(1);

export const configSchema = z
  .object({
    purposes: z.array(purposeSchema).min(1).default(DEFAULT_PURPOSES.map((p) => ({ ...p }))),
    attributes: z.record(z.string(), attributeSchema).default({}),
    /** IANA time zone for the `hour` and `weekday` built-ins and for time operators. */
    timeZone: z
      .string()
      .default('UTC')
      .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/Berlin' }),
    /** HS256 secret for tokens the plugin issues; at least 32 characters. */
    tokenSecret: z.string().min(32, 'must be at least 32 characters').optional(),
    tokenTtlSeconds: z.number().int().positive().default(60 * 60 * 24 * 180),
    /** Issuer and audience the plugin writes into, and expects in, its own tokens. */
    tokenIssuer: z.string().min(1).default('strapi-plugin-personalization'),
    maxTokenBytes: z.number().int().min(256).max(16384).default(4096),
    clockSkewSeconds: z.number().int().min(0).max(300).default(30),
    tokenCacheSize: z.number().int().min(0).max(1_000_000).default(10_000),
    /** Revocations held in memory, the newest; beyond, a token verified afresh is looked up (README "Memory at scale"). */
    revocationsInMemory: z.number().int().min(1_000).max(10_000_000).default(100_000),
    issuers: z.array(issuerSchema).default([]),
    policyVersion: z.string().min(1).default('1'),
    tcf: z
      .object({
        enabled: z.boolean().default(true),
        /** Our purpose ⇐ every listed TCF purpose must be consented. */
        purposes: z.record(key, tcfPurposeIds).default({
          personalization: [5, 6],
          measurement: [8],
          marketing: [2, 3, 4],
        }),
      })
      .default({
        enabled: true,
        purposes: { personalization: [5, 6], measurement: [8], marketing: [2, 3, 4] },
      }),
    gpc: z
      .object({
        /** Purposes that `Sec-GPC: 1` denies. */
        denies: z.array(key).default(['marketing']),
      })
      .default({ denies: ['marketing'] }),
    contextHeaderMaxBytes: z.number().int().min(0).max(16384).default(2048),
    /** POST /consent per client address (`windowSeconds`, `max`), and POST /events (`events`). README "Rate limits". */
    rateLimit: z
      .object({
        windowSeconds: z.number().int().positive().default(60),
        max: z.number().int().positive().default(30),
        events: z
          .object({
            windowSeconds: z.number().int().positive().default(60),
            max: z.number().int().positive().default(120),
          })
          .strict()
          .default({ windowSeconds: 60, max: 120 }),
        /** auto: redis when a Redis URL is set (here or in coherence), the database on PostgreSQL/MySQL, memory (per process) on SQLite. */
        store: z.enum(['auto', 'memory', 'redis', 'database']).default('auto'),
        redisUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
      })
      .strict()
      .default({ windowSeconds: 60, max: 30, events: { windowSeconds: 60, max: 120 }, store: 'auto' }),
    consentRecords: z
      .object({
        enabled: z.boolean().default(true),
        retentionDays: z.number().int().positive().default(3 * 365),
      })
      .default({ enabled: true, retentionDays: 3 * 365 }),
    /** How several instances on one database learn of each other's changes (README "Running several instances"). */
    coherence: z
      .object({
        /** auto: redis when redisUrl is set, else postgres on PostgreSQL, poll on MySQL/MariaDB, off on SQLite. */
        mode: z.enum(['auto', 'postgres', 'redis', 'poll', 'off']).default('auto'),
        redisUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
        /** Background check of the change stamps: always in poll mode, while a notification connection is down, and ×10 as a safety net. */
        pollIntervalMs: z.number().int().min(100).max(60_000).default(500),
      })
      .strict()
      .default({ mode: 'auto', pollIntervalMs: 500 }),
    /** Experiments between a base entry and its variants (README "Experiments"). */
    experiments: z
      .object({
        /** The consent purpose a visitor must grant to be enrolled and counted. */
        purpose: key.default('measurement'),
        /** How often buffered counts are written, at most: one batch per interval, never a write per request. */
        flushIntervalMs: z.number().int().min(100).max(5_000).default(5_000),
      })
      .strict()
      .default({ purpose: 'measurement', flushIntervalMs: 5_000 }),
    /** How often each variant is served (README "Served counts"): aggregate per variant and day, written in batches. */
    servedCounts: z
      .object({
        enabled: z.boolean().default(true),
        /** How often buffered counts are written, at most: one batch per interval, never a write per request. */
        flushIntervalMs: z.number().int().min(100).max(60_000).default(2_000),
      })
      .strict()
      .default({ enabled: true, flushIntervalMs: 2_000 }),
  })
  .strict()
  .superRefine((config, ctx) => {
    const purposeKeys = new Set(config.purposes.map((p) => p.key));
    config.purposes.forEach((p, i) => {
      if (config.purposes.findIndex((q) => q.key === p.key) !== i) {
        ctx.addIssue({ code: 'custom', path: ['purposes', i, 'key'], message: `duplicate purpose "${p.key}"` });
      }
    });
    for (const [name, attribute] of Object.entries(config.attributes)) {
      if (Object.prototype.hasOwnProperty.call(BUILTIN_ATTRIBUTES, name)) {
        ctx.addIssue({ code: 'custom', path: ['attributes', name], message: `"${name}" is a built-in attribute` });
      }
      if (!/^[a-zA-Z][a-zA-Z0-9_]{0,63}$/.test(name)) {
        ctx.addIssue({ code: 'custom', path: ['attributes', name], message: 'attribute names use [a-zA-Z0-9_]' });
      }
      if (!purposeKeys.has(attribute.purpose)) {
        ctx.addIssue({
          code: 'custom',
          path: ['attributes', name, 'purpose'],
          message: `unknown purpose "${attribute.purpose}"`,
        });
      }
    }
    for (const purpose of Object.keys(config.tcf.purposes)) {
      if (!purposeKeys.has(purpose)) {
        ctx.addIssue({ code: 'custom', path: ['tcf', 'purposes', purpose], message: `unknown purpose "${purpose}"` });
      }
    }
    if (config.rateLimit.store === 'redis' && !config.rateLimit.redisUrl && !config.coherence.redisUrl) {
      ctx.addIssue({ code: 'custom', path: ['rateLimit', 'redisUrl'], message: 'is required when store is "redis" (or set coherence.redisUrl)' });
    }
    if (!purposeKeys.has(config.experiments.purpose)) {
      ctx.addIssue({ code: 'custom', path: ['experiments', 'purpose'], message: `unknown purpose "${config.experiments.purpose}"` });
    }
    if (config.coherence.mode === 'redis' && !config.coherence.redisUrl) {
      ctx.addIssue({ code: 'custom', path: ['coherence', 'redisUrl'], message: 'is required when mode is "redis"' });
    }
    config.gpc.denies.forEach((purpose, i) => {
      if (!purposeKeys.has(purpose)) {
        ctx.addIssue({ code: 'custom', path: ['gpc', 'denies', i], message: `unknown purpose "${purpose}"` });
      }
    });
  });

export type PluginConfigInput = z.input<typeof configSchema>;
export type PluginConfig = z.output<typeof configSchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Formats a failed parse as one line per problem, each naming its key path. */
export function describeConfigError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Parses raw plugin config; throws an Error naming every offending key. */
export function parseConfig(raw: unknown): PluginConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new Error(`Invalid "personalization" plugin config: ${describeConfigError(result.error)}`);
  }
  return result.data;
}
