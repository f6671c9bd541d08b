import type { z } from 'zod';
import type { KoaContext } from './koa-context';

/** An input problem the admin or content API answers with a 4xx that names the field. */
export class InputError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly status: 400 | 404 | 409 = 400,
    readonly details: Record<string, unknown> = {}
  ) {
    super(`${field}: ${message}`);
  }
}

/** `purposes[0].name`: a zod issue path as the 400 names the field. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((part, position) => (typeof part === 'number' ? `[${part}]` : `${position ? '.' : ''}${String(part)}`)).join('');
}

/**
 * The one input parser: `value` checked against `schema`, or an InputError (400) naming the
 * first problem's field by its path (an unknown key by its own path: its name at the top level).
 */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, source: 'body' | 'query' = 'body'): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const what = source === 'query' ? 'query parameter' : 'field';
    // A nested object's unknown key is named by its whole path (`tables.variant[0].colour`).
    const field = fieldPath([...issue.path, issue.keys[0]]);
    throw new InputError(field, `unknown ${what} "${issue.keys.join('", "')}"`, 400, { fields: issue.keys });
  }
  // zod messages name the expected type, never the received value.
  throw new InputError(issue.path.length ? fieldPath(issue.path) : `(${source})`, issue.message);
}

/**
 * Where a NUL character sits in an input (`id`, `rule.and.0`; '' for the value itself), or null.
 * PostgreSQL refuses one in any text or JSON value with an error, which would be a 500.
 */
export function nulCharacterAt(value: unknown, path = '', depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > 64) return null;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = nulCharacterAt(item, at, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

/** Turns an InputError into the Strapi error response; anything else propagates as a 500. */
export async function answeringInputErrors(ctx: KoaContext, work: () => Promise<unknown>): Promise<void> {
  try {
    // The router also lists path captures by position ("0"); the named ones say which field it is.
    const named = Object.fromEntries(Object.entries(ctx.params ?? {}).filter(([name]) => !/^\d+$/.test(name)));
    const nul = nulCharacterAt(named) ?? nulCharacterAt(ctx.query) ?? nulCharacterAt(ctx.request.body);
    if (nul !== null) throw new InputError(nul || '(body)', 'must not contain a NUL character');
    ctx.body = await work();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const details = { field: error.field, ...error.details };
    if (error.status === 404) return ctx.notFound(error.message, details);
    if (error.status === 409) return ctx.conflict(error.message, details);
    return ctx.badRequest(error.message, details);
  }
}
