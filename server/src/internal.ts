import type { Core } from '@strapi/strapi';

/**
 * Marks the plugin's own document-service writes (cloning and deleting variant documents), so
 * its document middleware does not react to them as to an editor's change. A params key, not an
 * AsyncLocalStorage: every store a process keeps enabled costs something on every promise.
 */
const INTERNAL = Symbol('personalization.internal');

export function internalWrite<T extends object>(params: T): T {
  return { ...params, [INTERNAL]: true };
}

export function isInternalWrite(params: unknown): boolean {
  return typeof params === 'object' && params !== null && (params as Record<symbol, unknown>)[INTERNAL] === true;
}

/**
 * Runs plugin bookkeeping outside the visitor's request, so the content-API rules (variant rows
 * hidden, variants served) do not apply to it: e.g. deleting a base's variant documents when the
 * base is deleted through the content API.
 */
export async function outsideRequest<T>(strapi: Core.Strapi, work: () => Promise<T>): Promise<T> {
  let result!: T;
  await strapi.requestContext.run(undefined as unknown as Parameters<typeof strapi.requestContext.run>[0], async () => {
    result = await work();
  });
  return result;
}
