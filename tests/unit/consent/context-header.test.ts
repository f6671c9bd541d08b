import { parseContextHeader } from '../../../server/src/core/consent';
import { base64url } from './fixtures';

const MALFORMED = { ok: false, reason: 'context-malformed' };
const OVERSIZED = { ok: false, reason: 'context-oversized' };

describe('X-Personalization-Context', () => {
  it('decodes a base64url JSON object', () => {
    expect(parseContextHeader(base64url({ device: 'mobile', utmCampaign: 'spring' }), 2048)).toEqual({
      ok: true,
      raw: { device: 'mobile', utmCampaign: 'spring' },
    });
  });

  it('accepts base64 padding', () => {
    const header = Buffer.from('{"a":1}').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    expect(header.endsWith('=')).toBe(true);
    expect(parseContextHeader(header, 2048)).toEqual({ ok: true, raw: { a: 1 } });
  });

  it('accepts a header exactly at the cap and refuses one byte more', () => {
    const header = base64url({ device: 'd'.repeat(40) });
    expect(parseContextHeader(header, header.length).ok).toBe(true);
    expect(parseContextHeader(header, header.length - 1)).toEqual(OVERSIZED);
  });

  it('checks the cap before decoding anything', () => {
    expect(parseContextHeader('!'.repeat(3000), 2048)).toEqual(OVERSIZED);
  });

  it('counts bytes, not characters', () => {
    expect(parseContextHeader('é'.repeat(1500), 2048)).toEqual(OVERSIZED);
  });

  it('is switched off by a cap of 0', () => {
    expect(parseContextHeader(base64url({}), 0)).toEqual(OVERSIZED);
  });

  it.each([
    ['an array', base64url([{ device: 'mobile' }])],
    ['a string', base64url('"mobile"')],
    ['a number', base64url('42')],
    ['null', base64url('null')],
    ['text that is not JSON', base64url('device=mobile')],
    ['truncated JSON', base64url('{"device":"mob')],
    ['characters outside base64url', `${base64url({ a: 1 })}!`],
    ['standard base64 with + and /', '+/+/'],
    ['an empty value', ''],
    ['a non-string', ['a'] as unknown as string],
  ])('refuses %s', (_label, header) => {
    expect(parseContextHeader(header, 2048)).toEqual(MALFORMED);
  });

  it.each([
    ['at the top level', '{"__proto__":{"polluted":true},"device":"mobile"}'],
    ['nested', '{"device":{"__proto__":{"polluted":true}}}'],
    ['written with a unicode escape', '{"\\u005f_proto__":{"polluted":true}}'],
  ])('refuses a __proto__ key %s without touching any prototype', (_label, json) => {
    expect(parseContextHeader(base64url(json), 2048)).toEqual(MALFORMED);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers a repeated header from its memo with the same frozen result', () => {
    const header = base64url({ device: 'tablet' });
    const first = parseContextHeader(header, 2048);
    expect(parseContextHeader(header, 2048)).toBe(first);
    expect(first.ok && Object.isFrozen(first.raw)).toBe(true);
  });

  it('still applies the cap to a memoized header', () => {
    const header = base64url({ device: 'phone' });
    expect(parseContextHeader(header, 2048).ok).toBe(true);
    expect(parseContextHeader(header, header.length - 1)).toEqual(OVERSIZED);
  });

  it('keeps keys such as constructor as plain data', () => {
    const result = parseContextHeader(base64url({ constructor: 'x', toString: 1 }), 2048);
    expect(result).toEqual({ ok: true, raw: { constructor: 'x', toString: 1 } });
  });
});
