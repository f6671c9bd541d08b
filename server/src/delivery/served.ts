import type { Core } from '@strapi/strapi';
import type { ConsentService } from '../services/consent';
import type { ServedCountsService } from '../services/served-counts';
import { isCounted } from './experiments';
import type { RequestContext } from './origin';

export type CountServed = (ctx: RequestContext, served: ReadonlySet<string>, now: number) => Promise<void>;

/**
 * Once the response is complete: adds what it served to the in-memory served counts (one per
 * entry, whatever its locale or how often it appears). Reads nothing about the visitor beyond
 * the decisions already made; prefetches, known bots and previews are not counted.
 */
export function servedCounter(strapi: Core.Strapi): CountServed {
  // Services exist once the plugin is loaded, which is before any request: looked up on first use.
  let services: { consent: ConsentService; counts: ServedCountsService } | undefined;
  return async (ctx, served, now) => {
    if (served.size === 0 || !isCounted(ctx)) return;
    if (!services) {
      const plugin = strapi.plugin('personalization');
      services = { consent: plugin.service('consent') as ConsentService, counts: plugin.service('served-counts') as ServedCountsService };
    }
    // A preview token (its preview time) is an editor looking, wherever the request comes from.
    if ((await services.consent.ofRequest(ctx)).previewAt !== undefined) return;
    services.counts.recordServed(served, now);
  };
}
