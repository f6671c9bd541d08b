/**
 * The plugin's admin API as the panel and pages use it: response types and small data hooks on
 * Strapi's `useFetchClient` (the admin JWT, token refresh and error shape come with it).
 */
import * as React from 'react';
import { isFetchError, useFetchClient } from '@strapi/strapi/admin';
import { ADMIN_BASE, ADMIN_ROUTES, type AdminRouteName, type PluginConfiguration, type PluginSettings } from '../../shared/contracts';

/** The contract's record, request and response types, which the pages import from here. */
export type {
  DailyArm,
  EnabledContentType,
  Experiment,
  ExperimentArm,
  ExperimentCreateRequest,
  ExperimentResults,
  ExperimentResultsAnswer,
  ArmResult,
  Locale,
  PluginConfiguration,
  PluginSettings,
  Purpose,
  Segment,
  SegmentUser,
  VariantKind,
  VariantRecord,
  VariantSettings,
} from '../../shared/contracts';
/** The side panel's and Overview's answers: variant status, reachability warnings, served counts. */
export type {
  Overview,
  OverviewEntry,
  OverviewVariant,
  ReachabilityWarning,
  ServedCount,
  ServedCounts,
  VariantListItem,
  VariantStatus,
} from '../../shared/contracts';

/** A route's URL in the admin API: its contract path with the parameters filled in (as given). */
function urlOf(route: AdminRouteName, params: Record<string, string> = {}, query?: Record<string, string>): string {
  const path = ADMIN_ROUTES[route].path.replace(/:(\w+)/g, (_, name: string) => params[name]);
  return `${ADMIN_BASE}${path}${query ? `?${new URLSearchParams(query)}` : ''}`;
}

export const API = {
  settings: urlOf('settings'),
  catalogue: urlOf('catalogue'),
  variantsOf: (uid: string, baseDocumentId: string) => urlOf('variantsOf', { contentType: uid, baseDocumentId }),
  variants: urlOf('createVariant'),
  variant: (id: string) => urlOf('updateVariant', { id }),
  order: (uid: string, baseDocumentId: string) => urlOf('reorderVariants', { contentType: uid, baseDocumentId }),
  served: (uid: string, baseDocumentId: string) => urlOf('served', {}, { contentType: uid, documentId: baseDocumentId }),
  overview: (query: Record<string, string> = {}) => urlOf('overview', {}, query),
  segments: urlOf('segments'),
  segment: (id: string) => urlOf('segment', { id }),
  simulate: urlOf('simulate'),
  preview: urlOf('preview'),
  consentRecords: urlOf('consentRecords'),
  consentRecordsExport: urlOf('consentRecordsExport'),
  reconcile: urlOf('reconcileReport'),
  relinkAll: urlOf('relinkAll'),
  relink: (id: string) => urlOf('relink', { id }),
  detached: (id: string) => urlOf('dismissDetached', { id }),
  release: (uid: string, documentId: string) => urlOf('release', { contentType: uid, documentId }),
  transferExport: urlOf('transferExport'),
  transferImport: urlOf('transferImport'),
  experiments: urlOf('experiments'),
  experimentsOf: (uid: string, baseDocumentId: string) => urlOf('experiments', {}, { contentType: uid, baseDocumentId }),
  experiment: (id: string) => urlOf('experiment', { id }),
  experimentAction: (id: string, action: 'start' | 'stop' | 'promote') =>
    urlOf(action === 'start' ? 'startExperiment' : action === 'stop' ? 'stopExperiment' : 'promoteExperiment', { id }),
  experimentResults: (id: string) => urlOf('experimentResults', { id }),
} as const;

/** A server refusal, with the field it names (`error.details.field`) when there is one. */
export interface ApiProblem {
  status?: number;
  message: string;
  /** The message without its leading "<field>: ", for showing next to that field. */
  fieldMessage: string;
  field?: string;
  details?: Record<string, unknown>;
}

export function problemOf(error: unknown): ApiProblem {
  if (isFetchError(error)) {
    const body = error.response?.data?.error as { message?: string; details?: Record<string, unknown>; status?: number } | undefined;
    const details = body?.details ?? {};
    const message = body?.message ?? error.message;
    const field = typeof details.field === 'string' ? details.field : undefined;
    const fieldMessage = field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
    return { status: error.status ?? body?.status, message, fieldMessage, field, details };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message, fieldMessage: message };
}

/** `audience.and[1].in[0]` → `audience`; `locales[0]` → `locales`: the form field a problem belongs to. */
export function formFieldOf(field: string | undefined): string | undefined {
  return field?.split(/[.[]/)[0];
}

interface Resource<T, M = unknown> {
  data: T | undefined;
  /** The answer's `meta` (pagination of lists). */
  meta: M | undefined;
  problem: ApiProblem | undefined;
  isLoading: boolean;
  reload(): void;
}

/** GETs `url` (null: nothing yet) and keeps the answer; `reload` fetches again. */
export function useResource<T, M = unknown>(url: string | null): Resource<T, M> {
  const { get } = useFetchClient();
  const [generation, setGeneration] = React.useState(0);
  const request = url === null ? null : `${generation} ${url}`;
  const [state, setState] = React.useState<{ data?: T; meta?: M; problem?: ApiProblem; request?: string }>({});

  React.useEffect(() => {
    if (url === null || request === null) return;
    const controller = new AbortController();
    get<{ data: T; meta?: M }>(url, { signal: controller.signal })
      .then((response) => setState({ data: response.data.data, meta: response.data.meta, request }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState((previous) => ({ ...previous, problem: problemOf(error), request }));
      });
    return () => controller.abort();
    // `get` is a new function on every render; the request key decides when to fetch.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [request]);

  const reload = React.useCallback(() => setGeneration((value) => value + 1), []);
  const current = state.request === request;
  return {
    data: state.data,
    meta: state.meta,
    problem: current ? state.problem : undefined,
    isLoading: request !== null && !current,
    reload,
  };
}

let cachedSettings: PluginSettings | undefined;

/** The catalogue editors work with, fetched once per page load: it changes only when Strapi restarts. */
export function useSettings(enabled = true): Resource<PluginSettings> {
  const resource = useResource<PluginSettings>(enabled && !cachedSettings ? API.catalogue : null);
  if (resource.data) cachedSettings = resource.data;
  return { ...resource, data: cachedSettings ?? resource.data, isLoading: !cachedSettings && resource.isLoading };
}

/** The Settings page's configuration view. */
export function useConfiguration(): Resource<PluginConfiguration> {
  return useResource<PluginConfiguration>(API.settings);
}
