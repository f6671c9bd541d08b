import type { Core } from '@strapi/strapi';

/** The Koa context of a request, as far as delivery reads and writes it. */
export interface RequestContext {
  method: string;
  path: string;
  state: Record<string, any>;
  body?: unknown;
  get(field: string): string;
  set(field: string, value: string): void;
  vary(field: string | string[]): void;
}

export interface RequestOrigin {
  ctx: RequestContext;
  /** `content` for REST and GraphQL delivery, `admin` for the admin panel's routes. */
  api: 'content' | 'admin';
}

/**
 * Which API the current call serves, from the request context Strapi keeps for the duration of
 * a request; null for application code, cron and the plugin's own background work.
 */
export function originOf(strapi: Core.Strapi): () => RequestOrigin | null {
  // Read once: config is settled after register, and this is asked on every query.
  let endpoint: string | undefined;
  const graphqlEndpoint = () => (endpoint ??= strapi.config.get('plugin::graphql.endpoint', '/graphql') as string);
  return () => {
    const ctx = strapi.requestContext.get() as RequestContext | undefined;
    if (!ctx) return null;
    const type = ctx.state?.route?.info?.type;
    if (type === 'content-api' || ctx.path === graphqlEndpoint()) return { ctx, api: 'content' };
    if (type === 'admin') return { ctx, api: 'admin' };
    return null;
  };
}
