import { NO_CONSENT, normalizeConsent, type ConsentSignals, type TokenFailure } from '../../../server/src/core/consent';
import { base64url, NORMALIZE_OPTIONS, TCF_2_10, TCF_3_TO_9, TCF_ALL, validToken } from './fixtures';

const ALL_PURPOSES = ['functional', 'personalization', 'measurement', 'marketing'];
const everything = validToken({
  pur: ALL_PURPOSES,
  attr: { interests: ['bikes'], ageBand: '30-39', loyal: true, visits: 12, theme: 'dark' },
});
const context = base64url({ device: 'mobile', utmCampaign: 'spring', referrer: 'https://news.example' });

const purposesOf = (signals: ConsentSignals, options = NORMALIZE_OPTIONS) =>
  [...normalizeConsent(signals, options).purposes].sort();

describe('consent normalization', () => {
  describe('without a valid token', () => {
    it('grants nothing when there is no token', () => {
      expect(normalizeConsent({}, NORMALIZE_OPTIONS)).toBe(NO_CONSENT);
      expect(NO_CONSENT).toEqual({ purposes: new Set(), attributes: {}, reason: 'no-token' });
    });

    it('grants nothing from a TC string alone, even one consenting to everything', () => {
      const consent = normalizeConsent({ tcf: TCF_ALL, context }, NORMALIZE_OPTIONS);
      expect(consent.purposes.size).toBe(0);
      expect(consent.attributes).toEqual({});
      expect(consent.reason).toBe('no-token');
    });

    it.each<TokenFailure>([
      'token-malformed',
      'token-oversized',
      'token-algorithm',
      'token-unknown-key',
      'token-signature',
      'token-issuer',
      'token-expired',
      'token-not-yet-valid',
      'token-revoked',
    ])('grants nothing for a %s token and says so', (reason) => {
      const consent = normalizeConsent({ token: { ok: false, reason }, tcf: TCF_ALL, context }, NORMALIZE_OPTIONS);
      expect(consent).toEqual({ purposes: new Set(), attributes: {}, reason });
      expect(consent.subject).toBeUndefined();
    });

    it('shares one immutable empty answer', () => {
      expect(Object.isFrozen(NO_CONSENT)).toBe(true);
      expect(() => (NO_CONSENT.purposes as Set<string>).add('marketing')).toThrow(TypeError);
      expect(NO_CONSENT.purposes.has('marketing')).toBe(false);
    });
  });

  describe('with a valid token', () => {
    it('grants the token purposes plus necessary, and drops unknown ones', () => {
      const token = validToken({ pur: ['personalization', 'astrology', '__proto__'] });
      expect(purposesOf({ token })).toEqual(['necessary', 'personalization']);
    });

    it('grants only necessary for a token with no purposes', () => {
      expect(purposesOf({ token: validToken({ pur: [] }) })).toEqual(['necessary']);
    });

    it('does not add necessary when it is not a configured purpose', () => {
      const purposes = new Set(['personalization']);
      expect(purposesOf({ token: validToken({ pur: [] }) }, { ...NORMALIZE_OPTIONS, purposes })).toEqual([]);
    });

    it('carries the subject and record id, and the reason consent', () => {
      const consent = normalizeConsent({ token: validToken({ sub: 's-1', rid: 'r-1' }) }, NORMALIZE_OPTIONS);
      expect(consent).toMatchObject({ subject: 's-1', recordId: 'r-1', reason: 'consent' });
    });
  });

  describe('preview time', () => {
    const at = Date.UTC(2027, 0, 15, 9, 30);

    it('exposes the pat of a token verified with our own secret as previewAt', () => {
      const consent = normalizeConsent({ token: { ...validToken({ pat: at }), own: true } }, NORMALIZE_OPTIONS);
      expect(consent.previewAt).toBe(at);
    });

    it("ignores the pat of an external issuer's token, even one naming our issuer", () => {
      const external = normalizeConsent({ token: { ...validToken({ pat: at, iss: 'https://consent.partner.example' }), own: false } }, NORMALIZE_OPTIONS);
      const namedLikeUs = normalizeConsent({ token: { ...validToken({ pat: at }), own: false } }, NORMALIZE_OPTIONS);
      expect(external.previewAt).toBeUndefined();
      expect(namedLikeUs.previewAt).toBeUndefined();
      // The consent itself is untouched: only the clock is refused.
      expect([...namedLikeUs.purposes].sort()).toEqual(['necessary', 'personalization']);
    });

    it('ignores a pat when nobody said which key verified the token', () => {
      expect(normalizeConsent({ token: validToken({ pat: at }) }, NORMALIZE_OPTIONS).previewAt).toBeUndefined();
    });

    it('has no previewAt for our own token without pat, nor without consent', () => {
      expect(normalizeConsent({ token: { ...validToken(), own: true } }, NORMALIZE_OPTIONS).previewAt).toBeUndefined();
      expect(normalizeConsent({}, NORMALIZE_OPTIONS).previewAt).toBeUndefined();
      expect(normalizeConsent({ token: { ok: false, reason: 'token-expired' } }, NORMALIZE_OPTIONS).previewAt).toBeUndefined();
    });

    it('keeps the previewAt of an own token whose purposes TCF took away', () => {
      const consent = normalizeConsent({ token: { ...validToken({ pat: at }), own: true }, tcf: 'not-a-tc-string' }, NORMALIZE_OPTIONS);
      expect(consent.purposes.size).toBe(0);
      expect(consent.previewAt).toBe(at);
    });
  });

  describe('TCF restricts, never grants', () => {
    it.each([
      ['consenting to everything', TCF_ALL, ['functional', 'marketing', 'measurement', 'necessary', 'personalization']],
      ['without TCF 2 (marketing)', TCF_3_TO_9, ['functional', 'measurement', 'necessary', 'personalization']],
      ['with only TCF 2 and 10', TCF_2_10, ['functional', 'necessary']],
    ])('keeps the mapped purposes a TC string %s allows, and leaves unmapped ones alone', (_label, tcf, expected) => {
      expect(purposesOf({ token: everything, tcf })).toEqual(expected);
    });

    it('never adds a purpose the token lacks', () => {
      expect(purposesOf({ token: validToken({ pur: ['functional'] }), tcf: TCF_ALL })).toEqual([
        'functional',
        'necessary',
      ]);
    });

    it('grants nothing for a malformed TC string and says so', () => {
      const consent = normalizeConsent({ token: everything, tcf: 'not-a-tc-string', context }, NORMALIZE_OPTIONS);
      expect(consent.purposes.size).toBe(0);
      expect(consent.attributes).toEqual({});
      expect(consent.reason).toBe('tcf-malformed');
      expect(consent.subject).toBe('visitor');
    });

    it('ignores TCF entirely when it is switched off', () => {
      const options = { ...NORMALIZE_OPTIONS, tcfEnabled: false };
      expect(purposesOf({ token: everything, tcf: 'not-a-tc-string' }, options)).toHaveLength(5);
      expect(purposesOf({ token: everything, tcf: TCF_2_10 }, options)).toHaveLength(5);
    });

    it('treats an empty header as absent', () => {
      expect(purposesOf({ token: everything, tcf: '' })).toHaveLength(5);
    });

    it('applies a configured map', () => {
      const options = { ...NORMALIZE_OPTIONS, tcfMap: { functional: [11] } };
      expect(purposesOf({ token: everything, tcf: TCF_ALL }, options)).not.toContain('functional');
      expect(purposesOf({ token: everything, tcf: TCF_ALL }, options)).toContain('marketing');
    });
  });

  describe('Global Privacy Control', () => {
    it('denies marketing with Sec-GPC: 1', () => {
      expect(purposesOf({ token: everything, gpc: true })).not.toContain('marketing');
      expect(purposesOf({ token: everything, gpc: true })).toContain('personalization');
    });

    it('changes nothing without it', () => {
      expect(purposesOf({ token: everything, gpc: false })).toContain('marketing');
    });

    it('denies personalization too where configured', () => {
      const options = { ...NORMALIZE_OPTIONS, gpcDenies: ['marketing', 'personalization'] };
      expect(purposesOf({ token: everything, gpc: true }, options)).toEqual(['functional', 'measurement', 'necessary']);
    });

    it('combines with TCF: the most restrictive wins', () => {
      const options = { ...NORMALIZE_OPTIONS, gpcDenies: ['measurement'] };
      expect(purposesOf({ token: everything, tcf: TCF_3_TO_9, gpc: true }, options)).toEqual([
        'functional',
        'necessary',
        'personalization',
      ]);
    });
  });

  describe('attributes', () => {
    it('shows each token attribute only when its purpose is granted', () => {
      const consent = normalizeConsent({ token: everything, tcf: TCF_3_TO_9, gpc: true }, NORMALIZE_OPTIONS);
      expect(consent.attributes).toEqual({ interests: ['bikes'], ageBand: '30-39', visits: 12, theme: 'dark' });
    });

    it('drops attributes the catalogue does not declare, or of the wrong type', () => {
      const token = validToken({ attr: { interests: 'bikes', ageBand: '30-39', email: 'a@b.example' } });
      expect(normalizeConsent({ token }, NORMALIZE_OPTIONS).attributes).toEqual({ ageBand: '30-39' });
    });

    it('reads context attributes only from the context header, each under its purpose', () => {
      const token = validToken({ pur: ['personalization', 'measurement'], attr: { device: 'from-token' } });
      const consent = normalizeConsent({ token, context }, NORMALIZE_OPTIONS);
      expect(consent.attributes).toEqual({ device: 'mobile', referrer: 'https://news.example' });
    });

    it('does not read token attributes from the context header', () => {
      const consent = normalizeConsent(
        { token: everything, context: base64url({ interests: ['forged'] }) },
        NORMALIZE_OPTIONS
      );
      expect(consent.attributes.interests).toEqual(['bikes']);
    });

    it.each([
      ['context-malformed', 'not base64!'],
      ['context-oversized', base64url({ device: 'x'.repeat(3000) })],
    ])('keeps the token consent and reports %s for a bad context header', (reason, header) => {
      const consent = normalizeConsent({ token: everything, context: header }, NORMALIZE_OPTIONS);
      expect(consent.reason).toBe(reason);
      expect(consent.purposes.has('personalization')).toBe(true);
      expect(consent.attributes.device).toBeUndefined();
      expect(consent.attributes.interests).toEqual(['bikes']);
    });

    it('reports tcf-malformed before a bad context header', () => {
      const consent = normalizeConsent({ token: everything, tcf: 'junk', context: 'junk!' }, NORMALIZE_OPTIONS);
      expect(consent.reason).toBe('tcf-malformed');
    });

    it('returns a null-prototype attribute object, so no inherited key reaches a rule', () => {
      const { attributes } = normalizeConsent({ token: everything, context }, NORMALIZE_OPTIONS);
      expect(Object.getPrototypeOf(attributes)).toBeNull();
      expect('toString' in attributes).toBe(false);
      expect(attributes.device).toBe('mobile');
    });
  });

  it('gives the same answer for the same signals', () => {
    const signals = { token: everything, tcf: TCF_3_TO_9, gpc: true, context };
    expect(normalizeConsent(signals, NORMALIZE_OPTIONS)).toEqual(normalizeConsent(signals, NORMALIZE_OPTIONS));
  });
});
