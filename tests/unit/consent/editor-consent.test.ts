import { normalizeConsent, type ConsentClaims } from '../../../server/src/core/consent';
import { attributeRefusal, statedConsent, tokenPurposes, unknownPurposes } from '../../../server/src/core/consent/editor-consent';
import { grantProblems } from '../../../server/src/core/consent/grant';
import type { Catalogue } from '../../../server/src/core/catalogue';
import { CATALOGUE, NORMALIZE_OPTIONS, PURPOSES } from './fixtures';

const CONFIGURED = [...PURPOSES];
const WITH_BUILTIN: Catalogue = { ...CATALOGUE, hour: { type: 'number', source: 'builtin' } };

/** What delivery's normalization makes of a valid token with these claims (no TCF, GPC or context). */
function delivered(pur: string[], attr: Record<string, unknown>) {
  const claims = { pur, attr, sub: 's', rid: 'r', iat: 0, exp: 1, pv: '1', iss: 'i' } as unknown as ConsentClaims;
  return normalizeConsent({ token: { ok: true, claims } }, NORMALIZE_OPTIONS);
}

describe('consent stated by a visitor or an editor', () => {
  it('grants `necessary` with every token, in configured order, and nothing else unasked', () => {
    expect(tokenPurposes(['marketing', 'personalization'], CONFIGURED)).toEqual(['necessary', 'personalization', 'marketing']);
    expect(tokenPurposes([], CONFIGURED)).toEqual(['necessary']);
    expect(tokenPurposes(['personalization'], ['personalization'])).toEqual(['personalization']);
  });

  it('grants nothing without a token, whatever purposes were typed in', () => {
    const consent = statedConsent({ purposes: [], attributes: { interests: ['outdoor'] }, withToken: false }, CATALOGUE, CONFIGURED);
    expect(consent.purposes).toEqual([]);
    expect(consent.token).toEqual({});
    expect(consent.ignored).toEqual([{ name: 'interests', reason: 'purpose-not-granted' }]);
  });

  it('keeps exactly the purposes and attributes delivery would for the same token', () => {
    const attributes = { interests: ['outdoor'], loyal: true, visits: 'many', theme: 'dark' };
    const stated = statedConsent({ purposes: ['personalization', 'marketing'], attributes, withToken: true }, CATALOGUE, CONFIGURED);
    const consent = delivered(['personalization', 'marketing'], attributes);
    expect(new Set(stated.purposes)).toEqual(consent.purposes);
    expect(stated.token).toEqual({ ...consent.attributes });
    expect(stated.ignored).toEqual([
      { name: 'visits', reason: 'wrong-type' },
      { name: 'theme', reason: 'purpose-not-granted' },
    ]);
  });

  it('splits attributes by where a visitor sends them', () => {
    const stated = statedConsent(
      { purposes: ['personalization'], attributes: { interests: ['a'], device: 'mobile', hour: 3, shoeSize: 44 }, withToken: true },
      WITH_BUILTIN,
      CONFIGURED
    );
    expect(stated.token).toEqual({ interests: ['a'] });
    expect(stated.context).toEqual({ device: 'mobile' });
    expect(stated.ignored).toEqual([
      { name: 'hour', reason: 'builtin' },
      { name: 'shoeSize', reason: 'unknown' },
    ]);
  });

  it('names an attribute inherited from Object.prototype as unknown', () => {
    expect(attributeRefusal(CATALOGUE, new Set(CONFIGURED), 'toString', 'x')).toBe('unknown');
    expect(attributeRefusal(CATALOGUE, new Set(CONFIGURED), '__proto__', {})).toBe('unknown');
  });

  it('names unknown purposes by position', () => {
    expect(unknownPurposes(['personalization', 'spying', 'x'], CONFIGURED)).toEqual([
      { field: 'purposes[1]', message: 'unknown purpose "spying"' },
      { field: 'purposes[2]', message: 'unknown purpose "x"' },
    ]);
  });

  it('refuses a grant on every problem, naming each field and never a value', () => {
    const problems = grantProblems(
      { purposes: ['personalization', 'spying'], policyVersion: '0' },
      { interests: 'zebra-7f3a', device: 'mobile', hour: 1, loyal: true, nope: 1 },
      { purposes: CONFIGURED, policyVersion: '1', catalogue: WITH_BUILTIN }
    );
    expect(problems.map((problem) => problem.field)).toEqual([
      'purposes[1]',
      'attributes.interests',
      'attributes.device',
      'attributes.hour',
      'attributes.loyal',
      'attributes.nope',
      'policyVersion',
    ]);
    expect(problems.map((problem) => problem.message).join('\n')).not.toContain('zebra-7f3a');
    expect(problems[2].message).toBe('attribute "device" comes from the X-Personalization-Context header, not the token');
    expect(problems[4].message).toBe('attribute "loyal" needs the purpose "marketing", which is not granted');
  });
});
