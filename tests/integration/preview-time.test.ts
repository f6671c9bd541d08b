import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { adminToken, grantPublic, startStrapi, stopStrapi } from '../helpers/strapi';
import { ARTICLE, postVariant, publishedDocument, publishVariantDocument } from '../helpers/content';

const HOMEPAGE = 'api::homepage.homepage';
const OWN_ISSUER = 'strapi-plugin-personalization';
const PARTNER = 'https://cmp.example';
const DAY = 24 * 60 * 60 * 1000;

/**
 * Preview at a chosen time: the preview endpoint signs its token with the moment (`pat`), and
 * delivery and /explain decide as of then, privately. Nobody else can move the clock: tokens
 * from POST /consent carry no `pat`, and an external issuer's `pat` is ignored.
 */
describe('previewing at a chosen date and time', () => {
  let strapi: Core.Strapi;
  let admin: string;
  let trailsId: string;
  let partnerKey: KeyLike;
  let impostorKey: KeyLike;
  /** The campaign runs from 30 to 60 days from now: not yet live. */
  const startsAt = Date.now() + 30 * DAY;
  const endsAt = Date.now() + 60 * DAY;
  const inside = new Date(startsAt + 15 * DAY).toISOString();

  const http = () => request(strapi.server.httpServer);
  const get = (path: string, token?: string) => {
    const call = http().get(path);
    if (token) call.set('X-Consent-Token', token);
    return call;
  };
  const preview = (body: Record<string, unknown>) =>
    http()
      .post('/personalization/preview')
      .set('Authorization', `Bearer ${admin}`)
      .send({ contentType: ARTICLE, documentId: trailsId, locale: 'en', purposes: [], ...body });
  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

  async function externalToken(key: KeyLike, kid: string, issuer: string, extra: Record<string, unknown>): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ pur: ['personalization'], attr: {}, pv: '1', rid: `partner-${kid}`, ...extra })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setSubject('partner-visitor')
      .setIssuer(issuer)
      .setIssuedAt(now - 60)
      .setExpirationTime(now + 600)
      .sign(key);
  }

  beforeAll(async () => {
    const publicJwk = async (kid: string) => {
      const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      return { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid } as JWK & { kid: string } };
    };
    const partner = await publicJwk('partner-1');
    const impostor = await publicJwk('impostor-1');
    partnerKey = partner.privateKey;
    impostorKey = impostor.privateKey;
    strapi = await startStrapi({
      config: {
        issuers: [
          { issuer: PARTNER, keys: [partner.jwk] },
          // A misconfiguration that must still not let an external key move the clock.
          { issuer: OWN_ISSUER, keys: [impostor.jwk] },
        ],
      },
    });
    // The preview asks the server's own content API, so the server must listen.
    await new Promise<void>((resolve) => strapi.server.httpServer.listen(0, '127.0.0.1', () => resolve()));
    await grantPublic(strapi, [`${ARTICLE}.find`, `${ARTICLE}.findOne`, `${HOMEPAGE}.find`]);
    admin = await adminToken(strapi);

    trailsId = await publishedDocument(strapi, ARTICLE, { title: 'Five trails for a long weekend', slug: 'five-trails' });
    const winter = await postVariant(strapi, admin, {
      contentType: ARTICLE,
      baseDocumentId: trailsId,
      name: 'Winter',
      key: 'winter',
      kind: 'mass',
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
    });
    await publishVariantDocument(strapi, ARTICLE, winter.variantDocumentId, { data: () => ({ title: 'Winter campaign' }) });
    const home = await strapi.documents(HOMEPAGE).create({ locale: 'en', data: { headline: 'Welcome', featured: trailsId } } as any);
    await strapi.documents(HOMEPAGE).publish({ documentId: home.documentId, locale: 'en' } as any);
  });

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  it('serves a campaign scheduled in the future to a preview token whose time is inside its schedule', async () => {
    const { body } = await preview({ at: inside }).expect(200);
    expect(claimsOf(body.data.token).pat).toBe(Date.parse(inside));
    expect(body.data.response.body.data).toMatchObject({
      documentId: trailsId,
      title: 'Winter campaign',
      personalization: { variant: 'winter', kind: 'mass', reason: 'mass-match' },
    });

    const token: string = body.data.token;
    const single = await get(`/api/articles/${trailsId}`, token).expect(200);
    expect(single.body.data).toMatchObject({ title: 'Winter campaign', personalization: { variant: 'winter' } });
    expect(single.headers['cache-control']).toBe('private, no-store');

    const list = await get('/api/articles', token).expect(200);
    expect(list.body.data.map((entry: { title: string }) => entry.title)).toEqual(['Winter campaign']);
    expect(list.headers['cache-control']).toBe('private, no-store');

    const home = await get('/api/homepage?populate=featured', token).expect(200);
    expect(home.body.data.featured).toMatchObject({ documentId: trailsId, title: 'Winter campaign' });

    const graphql = await http()
      .post('/graphql')
      .set('X-Consent-Token', token)
      .send({ query: `{ article(documentId: "${trailsId}") { title } }` })
      .expect(200);
    expect(graphql.body.data.article.title).toBe('Winter campaign');
    expect(graphql.headers['cache-control']).toBe('private, no-store');
  });

  it('serves the base entry now, and at times before and after the schedule', async () => {
    const now = await get(`/api/articles/${trailsId}`).expect(200);
    expect(now.body.data).toMatchObject({ title: 'Five trails for a long weekend', personalization: { kind: 'base', reason: 'schedule' } });
    expect(now.headers['cache-control'] ?? '').not.toContain('private');

    const before = new Date(startsAt - DAY).toISOString();
    const after = new Date(endsAt).toISOString();
    for (const at of [undefined, null, before, after]) {
      const { body } = await preview(at === undefined ? {} : { at }).expect(200);
      expect(body.data.response.body.data).toMatchObject({ title: 'Five trails for a long weekend', personalization: { kind: 'base', reason: 'schedule' } });
    }
    const { body } = await preview({}).expect(200);
    expect(claimsOf(body.data.token)).not.toHaveProperty('pat');
  });

  it('makes a preview response private even when it serves the base entry', async () => {
    const { body } = await preview({ at: new Date(endsAt + DAY).toISOString() }).expect(200);
    const response = await get(`/api/articles/${trailsId}`, body.data.token).expect(200);
    expect(response.body.data.title).toBe('Five trails for a long weekend');
    expect(response.headers['cache-control']).toBe('private, no-store');
  });

  it('explains the decision as of the preview time', async () => {
    const { body } = await preview({ at: inside }).expect(200);
    const explained = await get(`/api/personalization/explain/${ARTICLE}/${trailsId}`, body.data.token).expect(200);
    expect(explained.body.data.served).toMatchObject({ variant: 'winter', kind: 'mass' });
    const current = await get(`/api/personalization/explain/${ARTICLE}/${trailsId}`).expect(200);
    expect(current.body.data.served).toMatchObject({ variant: null, kind: 'base' });
    expect(current.body.data.skipped).toEqual([{ variant: 'winter', kind: 'mass', reason: 'schedule' }]);
  });

  it.each([
    ['words', 'next winter'],
    ['a date without a time', '2027-01-15'],
    ['a time without an offset', '2027-01-15T10:00:00'],
    ['a number', 1_800_000_000_000],
  ])('refuses an `at` that is %s with a 400 naming it', async (_label, at) => {
    const { body } = await preview({ at }).expect(400);
    expect(body.error.details.field).toBe('at');
  });

  it('never writes a pat into a token from POST /consent, and a pat added by hand breaks the signature', async () => {
    const granted = await http().post('/api/personalization/consent').send({ purposes: ['personalization'] }).expect(201);
    const token: string = granted.body.data.token;
    expect(claimsOf(token)).not.toHaveProperty('pat');

    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), pat: Date.parse(inside) })).toString('base64url');
    const response = await get(`/api/articles/${trailsId}`, `${header}.${forged}.${signature}`).expect(200);
    expect(response.body.data.title).toBe('Five trails for a long weekend');
    const explained = await get(`/api/personalization/explain/${ARTICLE}/${trailsId}`, `${header}.${forged}.${signature}`).expect(200);
    expect(explained.body.data.consent.reason).toBe('token-signature');
  });

  it.each([
    ['an external issuer', () => externalToken(partnerKey, 'partner-1', PARTNER, { pat: Date.parse(inside) })],
    ['an external key configured under our own issuer name', () => externalToken(impostorKey, 'impostor-1', OWN_ISSUER, { pat: Date.parse(inside) })],
  ])("ignores the pat of %s's valid token, and keeps its consent", async (_label, make) => {
    const token = await make();
    const response = await get(`/api/articles/${trailsId}`, token).expect(200);
    expect(response.body.data).toMatchObject({ title: 'Five trails for a long weekend', personalization: { kind: 'base', reason: 'schedule' } });
    const explained = await get(`/api/personalization/explain/${ARTICLE}/${trailsId}`, token).expect(200);
    expect(explained.body.data.consent).toEqual({ reason: 'consent', purposes: ['necessary', 'personalization'] });
    expect(explained.body.data.served).toMatchObject({ variant: null, kind: 'base' });
  });
});
