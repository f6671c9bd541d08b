/**
 * The frontend client of strapi-plugin-personalization: consent in, consent headers out.
 *
 * Web APIs only (fetch, Headers, btoa, TextEncoder), so it runs in browsers, Node 20+, edge
 * runtimes and React Native. Consent travels in headers, never in a URL: a URL ends up in logs,
 * caches and Referer headers, a header does not.
 */

/** The cookie the token lives in by default, so a server render can read it too. */
export const TOKEN_COOKIE = 'personalization_token';

export const CONSENT_TOKEN_HEADER = 'X-Consent-Token';

/** Where the token is kept. Methods may return promises (React Native's AsyncStorage, say). */
export interface TokenStorage {
  get(): string | null | undefined | Promise<string | null | undefined>;
  /** `expiresAt` is an ISO date: a cookie can expire with the token. */
  set(token: string, expiresAt?: string): void | Promise<void>;
  remove(): void | Promise<void>;
}

export interface CookieOptions {
  name?: string;
  path?: string;
  domain?: string;
  sameSite?: 'Lax' | 'Strict' | 'None';
  /** Defaults to true on https pages. */
  secure?: boolean;
}

/** A first-party cookie (the default in a browser): a server render sees it on the next request. */
export function cookieStorage(options: CookieOptions = {}): TokenStorage {
  const name = options.name ?? TOKEN_COOKIE;
  const write = (value: string, maxAge?: number) => {
    const secure = options.secure ?? (typeof location !== 'undefined' && location.protocol === 'https:');
    document.cookie =
      `${name}=${value}; Path=${options.path ?? '/'}; SameSite=${options.sameSite ?? 'Lax'}` +
      (maxAge === undefined ? '' : `; Max-Age=${maxAge}`) +
      (options.domain ? `; Domain=${options.domain}` : '') +
      (secure ? '; Secure' : '');
  };
  return {
    get: () => readCookie(document.cookie, name),
    set(token, expiresAt) {
      const seconds = expiresAt ? Math.floor((Date.parse(expiresAt) - Date.now()) / 1000) : NaN;
      // Never longer than the token lives; a session cookie when its expiry is unknown.
      write(token, seconds > 0 ? seconds : undefined);
    },
    remove: () => write('', 0),
  };
}

/** `localStorage` (or any Web Storage): survives reloads, but a server render cannot see it. */
export function webStorage(
  key = TOKEN_COOKIE,
  store: { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void } = localStorage
): TokenStorage {
  return {
    get: () => store.getItem(key),
    set: (token) => store.setItem(key, token),
    remove: () => store.removeItem(key),
  };
}

/** In memory only: one visit, or a server-side client per request. */
export function memoryStorage(initial?: string | null): TokenStorage {
  let token = initial ?? null;
  return {
    get: () => token,
    set: (value) => void (token = value),
    remove: () => void (token = null),
  };
}

/** The value of one cookie in a `Cookie` header (or `document.cookie`). */
export function readCookie(cookieHeader: string | null | undefined, name = TOKEN_COOKIE): string | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || null;
  }
  return null;
}

interface HeaderSource {
  get(name: string): string | null | undefined;
}

/**
 * For server renders: the consent headers of an incoming request, from its `Cookie` header (a
 * string) or its headers (a `Headers`, or anything with `get`), which also forwards `Sec-GPC`.
 */
export function consentHeaders(request: string | HeaderSource | null | undefined, cookieName = TOKEN_COOKIE): Record<string, string> {
  const source = typeof request === 'string' || request == null ? null : request;
  const token = readCookie(source ? source.get('cookie') : (request as string | null | undefined), cookieName);
  const headers: Record<string, string> = token ? { [CONSENT_TOKEN_HEADER]: token } : {};
  if (source?.get('sec-gpc') === '1') headers['Sec-GPC'] = '1';
  return headers;
}

export interface Purpose {
  key: string;
  title: string;
  description: string;
  attributes: Array<{ name: string; type: string; source: string }>;
  usedByLiveVariants: boolean;
}

export interface Grant {
  token: string;
  expiresAt: string;
  subject: string;
  purposes: string[];
}

export interface ConsentView {
  subject: string;
  recordId: string;
  purposes: string[];
  attributes: Record<string, unknown>;
  ignoredAttributes: string[];
  issuedAt: string;
  expiresAt: string;
  policyVersion: string;
  issuer: string;
}

export interface Label {
  variant: string | null;
  kind: 'targeted' | 'mass' | 'base';
  reason: string;
}

export interface Explanation {
  contentType: string;
  documentId: string;
  locale: string | null;
  served: Label & { decidedBy?: unknown };
  /** `missingPurposes`: with reason `consent-missing`, the purposes the variant needs that the visitor has not granted. */
  skipped: Array<{ variant: string; kind: string; reason: string; decidedBy?: unknown; missingPurposes?: string[] }>;
  read: string[];
  /** When an experiment runs on the entry: the visitor's arm, or why they are not in it (then `served` is the usual chain without the arm variants). */
  experiment?: { key: string; enrolled: true; arm: string } | { key: string; enrolled: false; reason: 'consent-missing' | 'rule-false' | 'arm-unavailable' | 'not-covered' };
  consent: { reason: string; purposes: string[] };
}

/** What became of a conversion: `counted` in a running experiment the visitor is enrolled in, or why not. */
export interface TrackAnswer {
  counted: boolean;
  /** `consent-missing`: no consent to the experiments' purpose (measurement); `not-counted`: a bot or a prefetch. */
  reason: 'counted' | 'consent-missing' | 'not-enrolled' | 'not-counted';
}

/** A refused call, with the HTTP status, the server's message and, on a 429, when to retry. */
export class PersonalizationError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly details: Record<string, any> = {},
    readonly retryAfter?: number
  ) {
    super(message);
    this.name = 'PersonalizationError';
  }
}

export interface ClientOptions {
  /** The Strapi origin, e.g. `https://cms.example.com`; empty for the same origin. */
  baseUrl?: string;
  /** Default: the cookie in a browser, memory elsewhere. */
  storage?: TokenStorage;
  fetch?: (input: string | URL, init?: RequestInit) => Promise<Response>;
  /** The IAB TCF string of your CMP, if any, sent as `X-TCF-Consent`. */
  tcf?: () => string | null | undefined;
  /** Context attributes the catalogue declares (device, UTM…), sent as `X-Personalization-Context`. */
  context?: () => Record<string, unknown> | null | undefined;
}

function base64url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function createClient(options: ClientOptions = {}) {
  const baseUrl = (options.baseUrl ?? '').replace(/\/$/, '');
  const storage = options.storage ?? (typeof document !== 'undefined' ? cookieStorage() : memoryStorage());
  // Called through a closure: a detached `window.fetch` throws "Illegal invocation".
  const send = options.fetch ?? ((input: string | URL, init?: RequestInit) => fetch(input, init));
  const api = `${baseUrl}/api/personalization`;

  const token = async () => (await storage.get()) || null;

  async function headers(): Promise<Record<string, string>> {
    const result: Record<string, string> = {};
    const current = await token();
    if (current) result[CONSENT_TOKEN_HEADER] = current;
    const tcf = options.tcf?.();
    if (tcf) result['X-TCF-Consent'] = tcf;
    const context = options.context?.();
    if (context && Object.keys(context).length > 0) result['X-Personalization-Context'] = base64url(JSON.stringify(context));
    return result;
  }

  /** `fetch` with the consent headers; a path starting with `/` is resolved against `baseUrl`. */
  async function personalizedFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = typeof input === 'string' && input.startsWith('/') ? baseUrl + input : input;
    const merged = new Headers(init.headers);
    for (const [name, value] of Object.entries(await headers())) if (!merged.has(name)) merged.set(name, value);
    return send(url, { ...init, headers: merged });
  }

  async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await personalizedFetch(api + path, init);
    if (response.status === 204) return undefined as T;
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const error = body?.error ?? {};
      const retryAfter = Number(response.headers.get('retry-after')) || undefined;
      throw new PersonalizationError(error.message ?? `HTTP ${response.status}`, response.status, error.details ?? {}, retryAfter);
    }
    return body.data as T;
  }

  const json = (method: string, body: unknown): RequestInit => ({
    method,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

  return {
    headers,
    fetch: personalizedFetch,
    token,

    /** What a consent banner asks: each purpose, the attributes it unlocks, whether live content uses it. */
    purposes: () => call<Purpose[]>('/purposes'),

    /** Asks the server for a token for these purposes and attributes, and keeps it. */
    async grant(input: { purposes: string[]; attributes?: Record<string, unknown>; policyVersion?: string }): Promise<Grant> {
      const grant = await call<Grant>('/consent', json('POST', input));
      await storage.set(grant.token, grant.expiresAt);
      return grant;
    },

    /** What the kept token grants and holds; null without one, or when the server refuses it (and it is dropped). */
    async current(): Promise<ConsentView | null> {
      if (!(await token())) return null;
      try {
        return await call<ConsentView>('/consent');
      } catch (error) {
        if (!(error instanceof PersonalizationError) || error.status !== 401) throw error;
        await storage.remove();
        return null;
      }
    },

    /** Revokes the token on the server, then forgets it: later requests get generic content. */
    async withdraw(): Promise<void> {
      if (await token()) {
        try {
          await call<void>('/consent', { method: 'DELETE' });
        } catch (error) {
          // A token the server already refuses grants nothing; forgetting it is all that is left.
          if (!(error instanceof PersonalizationError) || error.status !== 401) throw error;
        }
      }
      await storage.remove();
    },

    /** Why this visitor gets what they get for one entry. */
    explain(contentType: string, documentId: string, query: { locale?: string } = {}): Promise<Explanation> {
      const locale = query.locale ? `?locale=${encodeURIComponent(query.locale)}` : '';
      return call<Explanation>(`/explain/${encodeURIComponent(contentType)}/${encodeURIComponent(documentId)}${locale}`);
    },

    /** A conversion toward `goal` for the visitor's running experiments; counted only with their consent. */
    track: (goal: string) => call<TrackAnswer>('/events', json('POST', { type: 'conversion', goal })),
  };
}

export type PersonalizationClient = ReturnType<typeof createClient>;
