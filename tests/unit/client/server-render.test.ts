/** The client where there is no document: server renders, edge functions, React Native. */
import { consentHeaders, createClient, readCookie, TOKEN_COOKIE } from '../../../client/src';
import { consentEndpoints, fakeServer, GRANT } from './fake-server';

describe('the client on a server', () => {
  it('turns a request Cookie header into the consent headers', () => {
    const cookie = `theme=dark; ${TOKEN_COOKIE}x=other; ${TOKEN_COOKIE}=${GRANT.token}; session=1`;
    expect(consentHeaders(cookie)).toEqual({ 'X-Consent-Token': GRANT.token });
    expect(consentHeaders('theme=dark')).toEqual({});
    expect(consentHeaders(undefined)).toEqual({});
    expect(consentHeaders(`consent=abc`, 'consent')).toEqual({ 'X-Consent-Token': 'abc' });
  });

  it("reads a request's headers and forwards Global Privacy Control", () => {
    const headers = new Headers({ cookie: `${TOKEN_COOKIE}=${GRANT.token}`, 'sec-gpc': '1' });
    expect(consentHeaders(headers)).toEqual({ 'X-Consent-Token': GRANT.token, 'Sec-GPC': '1' });
    expect(consentHeaders(new Headers({ 'sec-gpc': '1' }))).toEqual({ 'Sec-GPC': '1' });
    expect(consentHeaders(new Headers())).toEqual({});
  });

  it('finds one cookie by its exact name', () => {
    expect(readCookie(`a=1; ${TOKEN_COOKIE}=`, TOKEN_COOKIE)).toBeNull();
    expect(readCookie('a=1;b=2', 'b')).toBe('2');
    expect(readCookie('', 'b')).toBeNull();
  });

  it('keeps the token in memory where there is no document', async () => {
    const server = fakeServer(consentEndpoints);
    const personalization = createClient({ baseUrl: 'http://cms.internal:1337/', fetch: server.fetch });
    await personalization.grant({ purposes: ['personalization'] });
    expect(await personalization.token()).toBe(GRANT.token);
    await personalization.fetch('/api/homepage?populate=featured');
    expect(server.sent[1].url).toBe('http://cms.internal:1337/api/homepage?populate=featured');
    expect(server.sent[1].headers['x-consent-token']).toBe(GRANT.token);
    // Another client (another request being rendered) shares nothing with this one.
    expect(await createClient({ fetch: server.fetch }).headers()).toEqual({});
  });
});
