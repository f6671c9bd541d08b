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

/** Turns an InputError into the Strapi error response; anything else propagates as a 500. */
export async function answeringInputErrors(ctx: KoaContext, work: () => Promise<unknown>): Promise<void> {
  try {
    ctx.body = await work();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const details = { field: error.field, ...error.details };
    if (error.status === 404) return ctx.notFound(error.message, details);
    if (error.status === 409) return ctx.conflict(error.message, details);
    return ctx.badRequest(error.message, details);
  }
}
