/**
 * The frontend client and the README's frontend examples (client/examples) against a real Strapi
 * listening on a port, over the runtime's own fetch.
 */
import type { AddressInfo } from 'net';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Core } from '@strapi/strapi';
import { startStrapi, stopStrapi, grantPublic, adminToken } from '../helpers/strapi';
import { consentHeaders, createClient, memoryStorage, PersonalizationError, TOKEN_COOKIE } from '../../client/src';

jest.mock('strapi-plugin-personalization/client', () => jest.requireActual('../../client/src'), { virtual: true });
let requestCookies = '';
jest.mock('next/headers', () => ({ cookies: async () => ({ toString: () => requestCookies }) }), { virtual: true });

const ARTICLE = 'api::article.article';
const RATE_LIMIT = 8;

describe('the frontend client against a real Strapi', () => {
  let strapi: Core.Strapi;
  let origin: string;
  let baseId: string;
  let admin: string;

  async function asAdmin(method: string, path: string, body?: unknown) {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(response.status).toBeLessThan(300);
    return (await response.json()).data;
  }

  async function createVariant(admin: string, body: Record<string, unknown>, title: string) {
    const response = await fetch(`${origin}/personalization/variants`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ contentType: ARTICLE, baseDocumentId: baseId, ...body }),
    });
    expect(response.status).toBe(201);
    const record = (await response.json()).data;
    await strapi.documents(ARTICLE).update({ documentId: record.variantDocumentId, locale: 'en', data: { title } } as any);
    await strapi.documents(ARTICLE).publish({ documentId: record.variantDocumentId, locale: 'en' } as any);
  }

  beforeAll(async () => {
    strapi = await startStrapi({ config: { rateLimit: { windowSeconds: 60, max: RATE_LIMIT } } });
    await new Promise<void>((resolve) => strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(strapi.server.httpServer.address() as AddressInfo).port}`;
    await grantPublic(strapi, [`${ARTICLE}.find`, `${ARTICLE}.findOne`]);
    admin = await adminToken(strapi);
    const base = await strapi.documents(ARTICLE).create({
      locale: 'en',
      data: { title: 'Five trails', slug: 'five-trails', summary: 'Where to walk.' },
    } as any);
    await strapi.documents(ARTICLE).publish({ documentId: base.documentId, locale: 'en' } as any);
    baseId = base.documentId;
    await createVariant(admin, { name: 'Outdoor fans', key: 'outdoor', kind: 'targeted', audience: { contains: [{ var: 'interests' }, 'outdoor'] } }, 'Five trails for you');
  });

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  it('grants, serves the targeted variant, explains it, shows the token, withdraws', async () => {
    const personalization = createClient({ baseUrl: origin, storage: memoryStorage() });
    const article = async () => (await (await personalization.fetch(`/api/articles/${baseId}`)).json()).data;

    expect((await article()).personalization).toEqual({ variant: null, kind: 'base', reason: 'no-token' });
    const grant = await personalization.grant({ purposes: ['personalization'], attributes: { interests: ['outdoor'] } });
    expect(grant.purposes).toEqual(['necessary', 'personalization']);

    const served = await personalization.fetch(`/api/articles/${baseId}`);
    expect(served.headers.get('cache-control')).toMatch(/private/);
    expect((await served.json()).data).toMatchObject({
      documentId: baseId,
      title: 'Five trails for you',
      personalization: { variant: 'outdoor', kind: 'targeted', reason: 'targeted-match' },
    });

    const why = await personalization.explain(ARTICLE, baseId);
    expect(why.served).toMatchObject({ variant: 'outdoor', kind: 'targeted', reason: 'targeted-match' });
    expect(why.read).toContain('interests');

    expect(await personalization.current()).toMatchObject({
      purposes: ['necessary', 'personalization'],
      attributes: { interests: ['outdoor'] },
    });

    const token = await personalization.token();
    await personalization.withdraw();
    expect(await personalization.headers()).toEqual({});
    expect((await article()).personalization).toEqual({ variant: null, kind: 'base', reason: 'no-token' });
    // The token itself is revoked on the server, not only forgotten here.
    const replayed = await fetch(`${origin}/api/articles/${baseId}`, { headers: { 'X-Consent-Token': token! } });
    expect((await replayed.json()).data.personalization.reason).toBe('token-revoked');
  });

  it('reads the purposes a consent banner shows', async () => {
    const purposes = await createClient({ baseUrl: origin }).purposes();
    expect(purposes.map((purpose) => purpose.key)).toEqual(['necessary', 'functional', 'personalization', 'measurement', 'marketing']);
    const personalizationPurpose = purposes.find((purpose) => purpose.key === 'personalization')!;
    expect(personalizationPurpose.usedByLiveVariants).toBe(true);
    expect(personalizationPurpose.attributes.map((attribute) => attribute.name)).toEqual(['interests', 'ageGroup', 'country']);
  });

  it('throws the server’s 400 with the field it names', async () => {
    const error = await createClient({ baseUrl: origin })
      .grant({ purposes: ['personalization', 'astrology'] })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(PersonalizationError);
    expect(error).toMatchObject({ status: 400, details: { field: 'purposes[1]' } });
    expect(error.message).toContain('astrology');
  });

  it('forwards a server render’s cookie as the consent header', async () => {
    const browser = createClient({ baseUrl: origin, storage: memoryStorage() });
    await browser.grant({ purposes: ['personalization'], attributes: { interests: ['outdoor'] } });
    const cookie = `theme=dark; ${TOKEN_COOKIE}=${await browser.token()}`;
    const response = await fetch(`${origin}/api/articles/${baseId}`, { headers: consentHeaders(cookie) });
    expect((await response.json()).data.title).toBe('Five trails for you');
  });

  describe('the README examples', () => {
    it('visitor.ts: the client in ten lines', async () => {
      const { visit } = await import('../../client/examples/visitor');
      const { purposes, articles, why, held } = await visit(origin);
      expect(purposes.length).toBeGreaterThan(0);
      expect(articles[0].title).toBe('Five trails for you');
      expect(why.served.variant).toBe('outdoor');
      expect(held!.attributes).toEqual({ interests: ['outdoor'] });
    });

    it('next-article-page.tsx: caches generic answers and never personal ones', async () => {
      process.env.STRAPI_URL = origin;
      const { default: ArticlePage } = await import('../../client/examples/next-article-page');
      const sent: Array<{ init: any; cacheControl: string | null }> = [];
      const realFetch = global.fetch;
      global.fetch = (async (input: any, init: any) => {
        const response = await realFetch(input, init);
        if (String(input).includes('/api/articles/')) sent.push({ init, cacheControl: response.headers.get('cache-control') });
        return response;
      }) as typeof fetch;
      try {
        requestCookies = 'theme=dark';
        const generic = renderToStaticMarkup(await ArticlePage({ params: Promise.resolve({ documentId: baseId }) }));
        const browser = createClient({ baseUrl: origin, storage: memoryStorage() });
        await browser.grant({ purposes: ['personalization'], attributes: { interests: ['outdoor'] } });
        requestCookies = `theme=dark; ${TOKEN_COOKIE}=${await browser.token()}`;
        const personal = renderToStaticMarkup(await ArticlePage({ params: Promise.resolve({ documentId: baseId }) }));

        expect(generic).toBe('<article><h1>Five trails</h1><p>Where to walk.</p></article>');
        expect(personal).toContain('<h1>Five trails for you</h1>');
        expect(sent[0].init).toMatchObject({ headers: {}, next: { revalidate: 60 } });
        expect(sent[0].cacheControl ?? '').not.toMatch(/private|no-store/);
        expect(sent[1].init).toMatchObject({ cache: 'no-store', headers: { 'X-Consent-Token': expect.any(String) } });
        expect(sent[1].cacheControl).toMatch(/private/);
      } finally {
        global.fetch = realFetch;
        delete process.env.STRAPI_URL;
      }
    });

    it('graphql.ts: the same headers on GraphQL', async () => {
      const { articleTitles } = await import('../../client/examples/graphql');
      const personalization = createClient({ baseUrl: origin, storage: memoryStorage() });
      expect((await articleTitles(personalization))[0]).toEqual({
        documentId: baseId,
        title: 'Five trails',
        personalization: { variant: null, kind: 'base', reason: 'no-token' },
      });
      await personalization.grant({ purposes: ['personalization'], attributes: { interests: ['outdoor'] } });
      expect((await articleTitles(personalization))[0]).toMatchObject({
        title: 'Five trails for you',
        personalization: { variant: 'outdoor', kind: 'targeted' },
      });
    });

    it('conversion.ts: counts a conversion of an enrolled visitor, and says why another is not counted', async () => {
      const experiment = await asAdmin('POST', '/personalization/experiments', {
        contentType: ARTICLE,
        baseDocumentId: baseId,
        key: 'trails',
        name: 'Trails for outdoor fans',
        arms: [
          { key: 'control', variant: null, weight: 0.5 },
          { key: 'outdoor', variant: 'outdoor', weight: 0.5 },
        ],
        goals: ['signup'],
      });
      await asAdmin('POST', `/personalization/experiments/${experiment.documentId}/start`);
      try {
        const { signedUp } = await import('../../client/examples/conversion');
        // Node's fetch says `User-Agent: node`, which the server takes for a bot; a browser names itself.
        const browserFetch = (input: string | URL, init: RequestInit = {}) => {
          const headers = new Headers(init.headers);
          headers.set('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36');
          return fetch(input, { ...init, headers });
        };
        const enrolled = createClient({ baseUrl: origin, storage: memoryStorage(), fetch: browserFetch });
        await enrolled.grant({ purposes: ['personalization', 'measurement'], attributes: { interests: ['outdoor'] } });
        expect(await signedUp(enrolled)).toEqual({ counted: true, reason: 'counted' });
        const anonymous = createClient({ baseUrl: origin, storage: memoryStorage(), fetch: browserFetch });
        expect(await signedUp(anonymous)).toEqual({ counted: false, reason: 'consent-missing' });
        const fromNode = createClient({ baseUrl: origin, storage: memoryStorage(await enrolled.token()) });
        expect(await signedUp(fromNode)).toEqual({ counted: false, reason: 'not-counted' });

        const unknown = await enrolled.track('sign-up').catch((caught) => caught);
        expect(unknown).toBeInstanceOf(PersonalizationError);
        expect(unknown).toMatchObject({ status: 400, details: { field: 'goal' } });
      } finally {
        // The other tests expect the outdoor variant served as usual, outside any experiment.
        await asAdmin('POST', `/personalization/experiments/${experiment.documentId}/stop`);
      }
    });

    // Last: it spends what is left of this address's consent requests.
    it('rate-limit.ts: a 429 keeps generic content and says when to retry', async () => {
      const { accept } = await import('../../client/examples/rate-limit');
      const personalization = createClient({ baseUrl: origin, storage: memoryStorage() });
      const answers = [];
      for (let attempt = 0; attempt <= RATE_LIMIT; attempt += 1) answers.push(await accept(personalization, ['outdoor']));
      const refused = answers.find((answer) => !answer.granted);
      expect(refused).toEqual({ granted: false, retryAfter: expect.any(Number) });
      expect(refused!.retryAfter).toBeGreaterThan(0);
    });
  });
});
