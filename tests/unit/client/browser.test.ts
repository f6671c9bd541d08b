/**
 * @jest-environment jsdom
 * @jest-environment-options {"url": "https://shop.example/"}
 */
import { ReadableStream } from 'stream/web';
import { MessageChannel, MessagePort } from 'worker_threads';
import { TextDecoder, TextEncoder } from 'util';
import {
  createClient,
  cookieStorage,
  memoryStorage,
  webStorage,
  PersonalizationError,
  TOKEN_COOKIE,
} from '../../../client/src';
import { consentEndpoints, fakeServer, GRANT } from './fake-server';

// jsdom has neither fetch's Headers and Response nor TextEncoder; browsers do. Node's own stand in.
Object.assign(globalThis, { TextEncoder, TextDecoder, ReadableStream, MessagePort, MessageChannel });
const { Headers, Response } = jest.requireActual('undici');
Object.assign(globalThis, { Headers, Response });

const BASE = 'https://cms.example';

function client(options: Parameters<typeof createClient>[0] = {}) {
  const server = fakeServer(consentEndpoints);
  return { server, client: createClient({ baseUrl: BASE, fetch: server.fetch, ...options }) };
}

afterEach(() => {
  document.cookie = `${TOKEN_COOKIE}=; Path=/; Max-Age=0`;
  localStorage.clear();
});

describe('the client in a browser', () => {
  it('keeps a granted token in a first-party cookie and sends it as a header', async () => {
    const { client: personalization, server } = client();
    await personalization.grant({ purposes: ['personalization'], attributes: { interests: ['outdoor'] } });
    expect(document.cookie).toContain(`${TOKEN_COOKIE}=${GRANT.token}`);

    await personalization.fetch('/api/articles');
    const last = server.sent.at(-1)!;
    expect(last.url).toBe(`${BASE}/api/articles`);
    expect(last.headers['x-consent-token']).toBe(GRANT.token);
  });

  it('sends purposes and attributes in the body, never in the URL', async () => {
    const { client: personalization, server } = client();
    await personalization.grant({ purposes: ['personalization'], attributes: { interests: ['outdoor'], ageGroup: '18-24' } });
    await personalization.explain('api::article.article', 'abc123', { locale: 'de' });

    const [grant, explain] = server.sent;
    expect(grant).toMatchObject({
      url: `${BASE}/api/personalization/consent`,
      method: 'POST',
      body: { purposes: ['personalization'], attributes: { interests: ['outdoor'], ageGroup: '18-24' } },
    });
    expect(grant.headers['content-type']).toBe('application/json');
    expect(explain.url).toBe(`${BASE}/api/personalization/explain/api%3A%3Aarticle.article/abc123?locale=de`);
    for (const request of server.sent) {
      expect(request.url).not.toMatch(/outdoor|18-24|interests|eyJ/);
    }
  });

  it('sends no consent header before the visitor chose', async () => {
    const { client: personalization, server } = client();
    expect(await personalization.headers()).toEqual({});
    await personalization.fetch('/api/articles');
    expect(server.sent[0].headers['x-consent-token']).toBeUndefined();
    expect(await personalization.current()).toBeNull();
    expect(server.sent).toHaveLength(1);
  });

  it('adds the TCF string and the context attributes as base64url JSON', async () => {
    const { client: personalization } = client({
      tcf: () => 'CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA',
      context: () => ({ device: 'mobile', utmCampaign: 'winter-ü' }),
    });
    const headers = await personalization.headers();
    expect(headers['X-TCF-Consent']).toBe('CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA');
    expect(headers['X-Personalization-Context']).not.toMatch(/[+/=]/);
    expect(JSON.parse(Buffer.from(headers['X-Personalization-Context'], 'base64url').toString('utf8'))).toEqual({
      device: 'mobile',
      utmCampaign: 'winter-ü',
    });
  });

  it("keeps a caller's own headers and method on the fetch wrapper", async () => {
    const { client: personalization, server } = client({ storage: memoryStorage('token-a') });
    await personalization.fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Consent-Token': 'token-b' },
      body: JSON.stringify({ query: '{ articles { title } }' }),
    });
    await personalization.fetch(new URL('https://elsewhere.example/api/articles'));
    expect(server.sent[0]).toMatchObject({ url: `${BASE}/graphql`, method: 'POST', body: { query: '{ articles { title } }' } });
    expect(server.sent[0].headers['x-consent-token']).toBe('token-b');
    expect(server.sent[1].url).toBe('https://elsewhere.example/api/articles');
    expect(server.sent[1].headers['x-consent-token']).toBe('token-a');
  });

  it('shows what the token holds', async () => {
    const { client: personalization, server } = client({ storage: memoryStorage(GRANT.token) });
    expect(await personalization.current()).toMatchObject({ attributes: { interests: ['outdoor'] } });
    expect(server.sent[0]).toMatchObject({ method: 'GET', url: `${BASE}/api/personalization/consent` });
    expect(server.sent[0].headers['x-consent-token']).toBe(GRANT.token);
  });

  it('withdraws on the server, then forgets the token', async () => {
    const { client: personalization, server } = client();
    await personalization.grant({ purposes: ['personalization'] });
    await personalization.withdraw();
    expect(server.sent[1]).toMatchObject({ method: 'DELETE', url: `${BASE}/api/personalization/consent` });
    expect(server.sent[1].headers['x-consent-token']).toBe(GRANT.token);
    expect(document.cookie).not.toContain(TOKEN_COOKIE);
    expect(await personalization.headers()).toEqual({});
  });

  it('drops a token the server refuses', async () => {
    const refused = fakeServer(() => ({ status: 401, body: { error: { status: 401, message: 'token-revoked', details: { reason: 'token-revoked' } } } }));
    const storage = memoryStorage('revoked-token');
    const personalization = createClient({ baseUrl: BASE, fetch: refused.fetch, storage });
    expect(await personalization.current()).toBeNull();
    expect(storage.get()).toBeNull();

    storage.set('revoked-token');
    await expect(personalization.withdraw()).resolves.toBeUndefined();
    expect(storage.get()).toBeNull();
  });

  it('turns a refusal into an error that names the field, and a 429 into when to retry', async () => {
    const server = fakeServer((request) =>
      request.body.purposes[0] === 'unknown'
        ? { status: 400, body: { error: { status: 400, message: 'purposes[0]: unknown purpose "unknown"', details: { field: 'purposes[0]' } } } }
        : { status: 429, headers: { 'Retry-After': '42' }, body: { error: { status: 429, message: 'too many consent requests; retry in 42 s' } } }
    );
    const storage = memoryStorage();
    const personalization = createClient({ baseUrl: BASE, fetch: server.fetch, storage });

    const invalid = await personalization.grant({ purposes: ['unknown'] }).catch((error) => error);
    expect(invalid).toBeInstanceOf(PersonalizationError);
    expect(invalid).toMatchObject({ status: 400, message: 'purposes[0]: unknown purpose "unknown"', details: { field: 'purposes[0]' } });

    const limited = await personalization.grant({ purposes: ['personalization'] }).catch((error) => error);
    expect(limited).toMatchObject({ status: 429, retryAfter: 42 });
    expect(storage.get()).toBeNull();
  });

  it('tracks a conversion: the goal in the body, the consent in the headers, never in the URL', async () => {
    const { client: personalization, server } = client({ storage: memoryStorage(GRANT.token) });
    await expect(personalization.track('signup')).resolves.toEqual({ counted: true, reason: 'counted' });
    expect(server.sent[0]).toMatchObject({
      method: 'POST',
      url: `${BASE}/api/personalization/events`,
      body: { type: 'conversion', goal: 'signup' },
    });
    expect(server.sent[0].headers['x-consent-token']).toBe(GRANT.token);
    expect(server.sent[0].headers['content-type']).toBe('application/json');
  });

  it('throws an unknown goal as the 400 that names it', async () => {
    const server = fakeServer(() => ({ status: 400, body: { error: { status: 400, message: 'unknown goal "sign-up"', details: { field: 'goal' } } } }));
    const personalization = createClient({ baseUrl: BASE, fetch: server.fetch, storage: memoryStorage() });
    const error = await personalization.track('sign-up').catch((caught) => caught);
    expect(error).toBeInstanceOf(PersonalizationError);
    expect(error).toMatchObject({ status: 400, details: { field: 'goal' } });
  });

  it('reads the purposes for a consent banner', async () => {
    const { client: personalization, server } = client();
    expect(await personalization.purposes()).toEqual([{ key: 'personalization', attributes: [] }]);
    expect(server.sent[0].url).toBe(`${BASE}/api/personalization/purposes`);
  });
});

describe('token storage', () => {
  it('keeps the token in localStorage when asked to', async () => {
    const { client: personalization } = client({ storage: webStorage() });
    await personalization.grant({ purposes: ['personalization'] });
    expect(localStorage.getItem(TOKEN_COOKIE)).toBe(GRANT.token);
    expect(document.cookie).not.toContain(TOKEN_COOKIE);
    await personalization.withdraw();
    expect(localStorage.getItem(TOKEN_COOKIE)).toBeNull();
  });

  it('writes a cookie for the whole site that expires with the token', () => {
    const writes: string[] = [];
    const descriptor = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!;
    jest.spyOn(document, 'cookie', 'set').mockImplementation((value) => void writes.push(value));
    try {
      cookieStorage().set('abc', new Date(Date.now() + 3600_000 + 500).toISOString());
      cookieStorage({ name: 'consent', domain: 'example', sameSite: 'Strict' }).set('abc');
      cookieStorage().remove();
    } finally {
      Object.defineProperty(document, 'cookie', descriptor);
    }
    expect(writes[0]).toBe(`${TOKEN_COOKIE}=abc; Path=/; SameSite=Lax; Max-Age=3600; Secure`);
    expect(writes[1]).toBe('consent=abc; Path=/; SameSite=Strict; Domain=example; Secure');
    expect(writes[2]).toBe(`${TOKEN_COOKIE}=; Path=/; SameSite=Lax; Max-Age=0; Secure`);
  });

  it('awaits an asynchronous storage such as React Native AsyncStorage', async () => {
    let kept: string | null = null;
    const storage = {
      get: async () => kept,
      set: async (token: string) => void (kept = token),
      remove: async () => void (kept = null),
    };
    const { client: personalization } = client({ storage });
    await personalization.grant({ purposes: ['personalization'] });
    expect(await personalization.headers()).toEqual({ 'X-Consent-Token': GRANT.token });
    await personalization.withdraw();
    expect(kept).toBeNull();
  });
});
