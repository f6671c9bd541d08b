/** A recording stand-in for `fetch` that answers like the plugin's consent endpoints would. */
export interface SentRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: any;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

export function fakeServer(answer: (request: SentRequest) => Answer) {
  const sent: SentRequest[] = [];
  const fetch = async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const request = {
      url: String(input),
      method: init.method ?? 'GET',
      headers,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    sent.push(request);
    const { status, body, headers: responseHeaders } = answer(request);
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...responseHeaders },
    });
  };
  return { fetch, sent };
}

export const GRANT = {
  token: 'eyJhbGciOiJIUzI1NiJ9.eyJwdXIiOlsicGVyc29uYWxpemF0aW9uIl19.c2lnbmF0dXJl',
  expiresAt: new Date(Date.now() + 3600_000).toISOString(),
  subject: '6f1c1d9e-1c1b-4a53-9f83-0c2a1d1e5b77',
  purposes: ['necessary', 'personalization'],
};

/** The plugin's endpoints, enough of them for the client's round trips. */
export function consentEndpoints(request: SentRequest): Answer {
  const path = new URL(request.url, 'http://cms.test').pathname;
  if (path.endsWith('/consent') && request.method === 'POST') return { status: 201, body: { data: GRANT } };
  if (path.endsWith('/consent') && request.method === 'GET') {
    return { status: 200, body: { data: { subject: GRANT.subject, purposes: GRANT.purposes, attributes: { interests: ['outdoor'] } } } };
  }
  if (path.endsWith('/consent') && request.method === 'DELETE') return { status: 204 };
  if (path.endsWith('/events') && request.method === 'POST') return { status: 202, body: { data: { counted: true, reason: 'counted' } } };
  if (path.endsWith('/purposes')) return { status: 200, body: { data: [{ key: 'personalization', attributes: [] }] } };
  return { status: 200, body: { data: { path } } };
}
