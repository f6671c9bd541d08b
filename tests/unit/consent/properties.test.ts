import fc from 'fast-check';
import { NECESSARY_PURPOSE, normalizeConsent, type TokenVerifier } from '../../../server/src/core/consent';
import {
  base64url,
  CATALOGUE,
  claims,
  newVerifier,
  NORMALIZE_OPTIONS,
  NOW,
  PURPOSES,
  sign,
  TCF_INVALID_VECTORS,
  TCF_VECTORS,
  validToken,
} from './fixtures';

const purposeName = fc.oneof(fc.constantFrom(...PURPOSES), fc.constantFrom('astrology', '__proto__', ''), fc.string());
const attributeName = fc.oneof(fc.constantFrom(...Object.keys(CATALOGUE)), fc.string());
const attributeValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.constant(null),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString())
);
const attributes = fc.dictionary(attributeName, attributeValue, { maxKeys: 8 });

const signalsArbitrary = fc.record({
  pur: fc.uniqueArray(purposeName, { maxLength: 7 }),
  attr: attributes,
  tcf: fc.oneof(
    fc.constantFrom(...TCF_VECTORS.map((vector) => vector.tcString)),
    fc.constantFrom(...TCF_INVALID_VECTORS.map((vector) => vector.tcString)),
    fc.string(),
    fc.constant('')
  ),
  gpc: fc.boolean(),
  context: fc.oneof(attributes.map(base64url), fc.string()),
});

const optionsArbitrary = fc.record({
  tcfEnabled: fc.boolean(),
  gpcDenies: fc.subarray([...PURPOSES]),
});

describe('consent normalization properties', () => {
  it('grants only token purposes (and necessary), honours GPC, and shows only attributes of granted purposes', () => {
    fc.assert(
      fc.property(signalsArbitrary, optionsArbitrary, (signals, optionOverrides) => {
        const options = { ...NORMALIZE_OPTIONS, ...optionOverrides };
        const token = validToken({ pur: signals.pur, attr: signals.attr });
        const consent = normalizeConsent({ ...signals, token }, options);

        for (const purpose of consent.purposes) {
          expect(purpose === NECESSARY_PURPOSE || signals.pur.includes(purpose)).toBe(true);
          expect(PURPOSES.has(purpose)).toBe(true);
          if (signals.gpc) expect(options.gpcDenies).not.toContain(purpose);
        }
        for (const [name, value] of Object.entries(consent.attributes)) {
          const definition = CATALOGUE[name];
          expect(definition).toBeDefined();
          expect(consent.purposes.has(definition.purpose as string)).toBe(true);
          if (definition.source === 'token') expect(value).toEqual(signals.attr[name]);
        }
      }),
      { numRuns: 500 }
    );
  });

  it('never gains a purpose or an attribute by adding a TCF header', () => {
    fc.assert(
      fc.property(signalsArbitrary, (signals) => {
        const token = validToken({ pur: signals.pur, attr: signals.attr });
        const without = normalizeConsent({ token, gpc: signals.gpc, context: signals.context }, NORMALIZE_OPTIONS);
        const withTcf = normalizeConsent(
          { token, gpc: signals.gpc, context: signals.context, tcf: signals.tcf },
          NORMALIZE_OPTIONS
        );
        for (const purpose of withTcf.purposes) expect(without.purposes.has(purpose)).toBe(true);
        for (const name of Object.keys(withTcf.attributes)) expect(name in without.attributes).toBe(true);
      }),
      { numRuns: 500 }
    );
  });

  it('never gains a purpose by adding Sec-GPC: 1', () => {
    fc.assert(
      fc.property(signalsArbitrary, (signals) => {
        const token = validToken({ pur: signals.pur });
        const without = normalizeConsent({ token, tcf: signals.tcf }, NORMALIZE_OPTIONS);
        const withGpc = normalizeConsent({ token, tcf: signals.tcf, gpc: true }, NORMALIZE_OPTIONS);
        for (const purpose of withGpc.purposes) expect(without.purposes.has(purpose)).toBe(true);
        expect(withGpc.purposes.has('marketing')).toBe(false);
      }),
      { numRuns: 300 }
    );
  });
});

describe('garbage tokens', () => {
  let verifier: TokenVerifier;
  beforeAll(async () => {
    verifier = await newVerifier();
  });

  const expectNoConsent = async (token: string) => {
    const result = await verifier.verify(token, NOW);
    expect(result.ok).toBe(false);
    const consent = normalizeConsent({ token: result, tcf: TCF_VECTORS[0].tcString }, NORMALIZE_OPTIONS);
    expect(consent.purposes.size).toBe(0);
    expect(Object.keys(consent.attributes)).toHaveLength(0);
  };

  it('never throw and never give consent: arbitrary strings', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ maxLength: 600 }), expectNoConsent), { numRuns: 300 });
  });

  it('never throw and never give consent: three base64url parts of arbitrary JSON', async () => {
    const json = fc.oneof(
      fc.json(),
      fc
        .record({ alg: fc.constantFrom('HS256', 'none', 'EdDSA', 'ES256', 'HS512'), kid: fc.option(fc.string()) })
        .map((header) => JSON.stringify(header))
    );
    await fc.assert(
      fc.asyncProperty(json, fc.json(), fc.base64String(), (header, payload, signature) =>
        expectNoConsent(
          `${base64url(header)}.${base64url(payload)}.${signature.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}`
        )
      ),
      { numRuns: 300 }
    );
  });

  it('never throw and never give consent: a real token with one character changed', async () => {
    const token = await sign(claims());
    expect((await verifier.verify(token, NOW)).ok).toBe(true);
    // The last character is left out: its low bits are base64 padding, so some changes decode
    // to the very same signature (the token is then genuinely valid, not forged).
    await fc.assert(
      fc.asyncProperty(fc.nat(token.length - 2), fc.constantFrom(...'ABCabc019_-.!'), async (index, replacement) => {
        fc.pre(token[index] !== replacement);
        await expectNoConsent(token.slice(0, index) + replacement + token.slice(index + 1));
      }),
      { numRuns: 300 }
    );
  });
});
