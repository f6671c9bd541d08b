import fc from 'fast-check';
import { buildRuleContext, builtinContext, compileAudience } from '../../../server/src/core/rules';

const at = (iso: string) => new Date(iso);

describe('builtinContext: hour and weekday in the configured time zone', () => {
  it.each([
    // Europe/Berlin springs forward on Sunday 2026-03-29 at 01:00 UTC: 02:00 local becomes 03:00.
    ['Europe/Berlin', '2026-03-29T00:59:59Z', 1, 0],
    ['Europe/Berlin', '2026-03-29T01:00:00Z', 3, 0],
    // …and falls back on Sunday 2026-10-25 at 01:00 UTC: 03:00 CEST becomes 02:00 CET, so 02 twice.
    ['Europe/Berlin', '2026-10-25T00:30:00Z', 2, 0],
    ['Europe/Berlin', '2026-10-25T00:59:59Z', 2, 0],
    ['Europe/Berlin', '2026-10-25T01:00:00Z', 2, 0],
    ['Europe/Berlin', '2026-10-25T01:59:59Z', 2, 0],
    ['Europe/Berlin', '2026-10-25T02:00:00Z', 3, 0],
    // Midnight: Saturday 23:59:59 then Sunday 00:00 local, an hour before UTC midnight.
    ['Europe/Berlin', '2026-03-28T22:59:59Z', 23, 6],
    ['Europe/Berlin', '2026-03-28T23:00:00Z', 0, 0],
    ['UTC', '2026-01-01T00:00:00Z', 0, 4],
    ['UTC', '2025-12-31T23:59:59.999Z', 23, 3],
    // A half-hour zone and a zone behind UTC.
    ['Asia/Kolkata', '2026-01-01T18:29:59Z', 23, 4],
    ['Asia/Kolkata', '2026-01-01T18:30:00Z', 0, 5],
    ['America/New_York', '2026-03-08T06:59:59Z', 1, 0],
    ['America/New_York', '2026-03-08T07:00:00Z', 3, 0],
    ['America/New_York', '2026-01-01T04:59:59Z', 23, 3],
  ])('%s at %s is hour %i, weekday %i', (zone, iso, hour, weekday) => {
    const builtins = builtinContext(at(iso), zone);
    expect(builtins.hour).toBe(hour);
    expect(builtins.weekday).toBe(weekday);
  });

  it('gives now as an ISO instant in UTC', () => {
    expect(builtinContext(at('2026-03-29T01:00:00+02:00'), 'Europe/Berlin').now).toBe('2026-03-28T23:00:00.000Z');
  });

  it('formats now exactly as Date#toISOString, within a second and across seconds', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (date) => {
        expect(builtinContext(date, 'UTC').now).toBe(date.toISOString());
        const later = new Date(date.getTime() + 1);
        expect(builtinContext(later, 'UTC').now).toBe(later.toISOString());
      }),
      { numRuns: 300 }
    );
  });

  it('answers for the zone asked, even within the same minute', () => {
    const instant = at('2026-06-01T12:00:30Z');
    expect(builtinContext(instant, 'UTC').hour).toBe(12);
    expect(builtinContext(instant, 'Europe/Berlin').hour).toBe(14);
    expect(builtinContext(instant, 'UTC').hour).toBe(12);
  });

  it('moves on at the next minute', () => {
    expect(builtinContext(at('2026-03-29T00:59:59.999Z'), 'Europe/Berlin').hour).toBe(1);
    expect(builtinContext(at('2026-03-29T01:00:00.000Z'), 'Europe/Berlin').hour).toBe(3);
  });

  it('includes the locale only when the request names one', () => {
    expect(builtinContext(at('2026-01-01T00:00:00Z'), 'UTC', 'de').locale).toBe('de');
    expect('locale' in builtinContext(at('2026-01-01T00:00:00Z'), 'UTC')).toBe(false);
  });

  it('throws on an unknown time zone (the config schema refuses one at startup) or an invalid date', () => {
    expect(() => builtinContext(at('2026-01-01T00:00:00Z'), 'Mars/Olympus_Mons')).toThrow(RangeError);
    expect(() => builtinContext(new Date('not a date'), 'UTC')).toThrow(RangeError);
  });
});

describe('buildRuleContext', () => {
  const input = {
    now: at('2026-03-29T10:00:00Z'),
    timeZone: 'Europe/Berlin',
    locale: 'de',
    attributes: { country: 'DE', hour: 99, now: 'spoofed' },
  };

  it('has no prototype, so no inherited key is visible to a rule', () => {
    const context = buildRuleContext(input);
    expect(Object.getPrototypeOf(context)).toBeNull();
    expect('constructor' in context).toBe(false);
  });

  it('adds the built-ins to the attributes, and attributes cannot shadow them', () => {
    expect({ ...buildRuleContext(input) }).toEqual({
      country: 'DE',
      now: '2026-03-29T10:00:00.000Z',
      hour: 12,
      weekday: 0,
      locale: 'de',
    });
  });

  describe('with the catalogue', () => {
    const catalogue = {
      country: { type: 'string', source: 'token', purpose: 'personalization' },
      age: { type: 'number', source: 'token', purpose: 'personalization' },
      hour: { type: 'number', source: 'builtin' },
    } as const;

    it('holds every catalogue name in one order, absent ones as undefined, and nothing else', () => {
      const one = buildRuleContext({ ...input, catalogue, attributes: { age: 30, shoeSize: 42 } });
      const other = buildRuleContext({ ...input, catalogue, attributes: { country: 'DE' } });
      expect(Object.keys(one)).toEqual(['now', 'weekday', 'hour', 'locale', 'country', 'age']);
      expect(Object.keys(other)).toEqual(Object.keys(one));
      expect(one.country).toBeUndefined();
      expect(one.age).toBe(30);
      expect(one.hour).toBe(12);
      expect(Object.getPrototypeOf(one)).toBeNull();
    });

    it('reads absent attributes exactly as missing keys, in both modes', () => {
      const rules = [
        { '==': [{ var: 'country' }, null] },
        { missing: ['country', 'age'] },
        { '!': { missing: ['country'] } },
        { '==': [{ var: ['country', 'XX'] }, 'XX'] },
      ];
      const withCatalogue = buildRuleContext({ ...input, catalogue, attributes: { age: 30 } });
      const withoutCatalogue = buildRuleContext({ ...input, attributes: { age: 30 } });
      for (const rule of rules) {
        for (const mode of ['compiled', 'interpreted'] as const) {
          const audience = compileAudience(rule, { mode });
          expect(audience.evaluate(withCatalogue)).toBe(audience.evaluate(withoutCatalogue));
        }
      }
      expect(compileAudience({ '==': [{ var: ['country', 'XX'] }, 'XX'] }).evaluate(withCatalogue)).toBe(true);
    });

    it('copies hostile attribute names as plain data', () => {
      const flag = '__contextInjected';
      const name = JSON.stringify(`"]; globalThis["${flag}"] = 1; //`);
      const definition = '{"type": "string", "source": "token", "purpose": "p"}';
      const hostileCatalogue = JSON.parse(`{"__proto__": ${definition}, ${name}: ${definition}}`);
      const attributes = JSON.parse(`{"__proto__": "x", ${name}: "y"}`);
      const context = buildRuleContext({ ...input, catalogue: hostileCatalogue, attributes });
      expect((globalThis as Record<string, unknown>)[flag]).toBeUndefined();
      expect(Object.getPrototypeOf(context)).toBeNull();
      expect(Object.getOwnPropertyDescriptor(context, '__proto__')?.value).toBe('x');
      expect(context[JSON.parse(name)]).toBe('y');
    });
  });

  it('is what compiled rules read', () => {
    const sundayNoonInGermany = compileAudience({
      and: [{ '==': [{ var: 'weekday' }, 0] }, { '==': [{ var: 'hour' }, 12] }, { '==': [{ var: 'country' }, 'DE'] }],
    });
    expect(sundayNoonInGermany.evaluate(buildRuleContext(input))).toBe(true);
    expect(sundayNoonInGermany.evaluate(buildRuleContext({ ...input, timeZone: 'UTC' }))).toBe(false);
  });
});
