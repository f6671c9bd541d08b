/**
 * The plugin's routes: method and path of each, in Strapi's `:param` syntax. The server declares
 * its routes from these (server/src/routes/), the admin builds its request URLs from them
 * (admin/src/api.ts), so renaming a path is one change that both follow.
 */

/** Where Strapi mounts the plugin's admin routes (admin API) and content-API routes. */
export const ADMIN_BASE = '/personalization';
export const PUBLIC_BASE = '/api/personalization';

export interface RouteContract {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
}

/** Admin API routes (admin JWT and the plugin's RBAC actions), under ADMIN_BASE. */
export const ADMIN_ROUTES = {
  variantsOf: { method: 'GET', path: '/variants/:contentType/:baseDocumentId' },
  createVariant: { method: 'POST', path: '/variants' },
  updateVariant: { method: 'PUT', path: '/variants/:id' },
  reorderVariants: { method: 'PUT', path: '/variants/:contentType/:baseDocumentId/order' },
  deleteVariant: { method: 'DELETE', path: '/variants/:id' },

  segments: { method: 'GET', path: '/segments' },
  segment: { method: 'GET', path: '/segments/:id' },
  createSegment: { method: 'POST', path: '/segments' },
  updateSegment: { method: 'PUT', path: '/segments/:id' },
  deleteSegment: { method: 'DELETE', path: '/segments/:id' },

  consentRecords: { method: 'GET', path: '/consent-records' },
  consentRecordsExport: { method: 'GET', path: '/consent-records/export' },

  settings: { method: 'GET', path: '/settings' },
  catalogue: { method: 'GET', path: '/catalogue' },
  simulate: { method: 'POST', path: '/simulate' },
  preview: { method: 'POST', path: '/preview' },

  reconcileReport: { method: 'GET', path: '/reconcile' },
  reconcile: { method: 'POST', path: '/reconcile' },
  relinkAll: { method: 'POST', path: '/reconcile/detached/relink' },
  relink: { method: 'POST', path: '/reconcile/detached/:id/relink' },
  dismissDetached: { method: 'DELETE', path: '/reconcile/detached/:id' },
  release: { method: 'POST', path: '/reconcile/unlinked/:contentType/:documentId/release' },

  transferExport: { method: 'GET', path: '/transfer/export' },
  transferImport: { method: 'POST', path: '/transfer/import' },

  experiments: { method: 'GET', path: '/experiments' },
  experiment: { method: 'GET', path: '/experiments/:id' },
  experimentResults: { method: 'GET', path: '/experiments/:id/results' },
  createExperiment: { method: 'POST', path: '/experiments' },
  updateExperiment: { method: 'PUT', path: '/experiments/:id' },
  deleteExperiment: { method: 'DELETE', path: '/experiments/:id' },
  startExperiment: { method: 'POST', path: '/experiments/:id/start' },
  stopExperiment: { method: 'POST', path: '/experiments/:id/stop' },
  promoteExperiment: { method: 'POST', path: '/experiments/:id/promote' },

  served: { method: 'GET', path: '/served' },
  overview: { method: 'GET', path: '/overview' },
} as const satisfies Record<string, RouteContract>;

/** Public content-API routes, under PUBLIC_BASE; consent travels in headers only. */
export const PUBLIC_ROUTES = {
  purposes: { method: 'GET', path: '/purposes' },
  grant: { method: 'POST', path: '/consent' },
  inspect: { method: 'GET', path: '/consent' },
  withdraw: { method: 'DELETE', path: '/consent' },
  track: { method: 'POST', path: '/events' },
  explain: { method: 'GET', path: '/explain/:contentType/:documentId' },
} as const satisfies Record<string, RouteContract>;

export type AdminRouteName = keyof typeof ADMIN_ROUTES;
export type PublicRouteName = keyof typeof PUBLIC_ROUTES;
