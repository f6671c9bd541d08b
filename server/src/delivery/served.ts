import type { Core } from '@strapi/strapi';
import type { ConsentService } from '../services/consent';
import type { ServedCountsService } from '../services/served-counts';
import { isCounted } from './experiments';
import type { RequestContext } from './origin';

/**
 * Once the response is complete: adds what it served to the in-memory served counts (one per
 * entry, whatever its locale or how often it appears). Reads nothing about the visitor beyond
 * the decisions already made; prefetches, known bots and previews are not counted.
 */
export async function countServed(strapi: Core.Strapi, ctx: RequestContext, served: ReadonlySet<string>, now: number): Promise<void> {
  if (served.size === 0 || !isCounted(ctx)) return;
  const plugin = strapi.plugin('personalization');
  // A preview token (its preview time) is an editor looking, wherever the request comes from.
  if ((await (plugin.service('consent') as ConsentService).ofRequest(ctx)).previewAt !== undefined) return;
  (plugin.service('served-counts') as ServedCountsService).recordServed(served, now);
}
