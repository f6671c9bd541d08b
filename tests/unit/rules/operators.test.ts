import fc from 'fast-check';
import { compileAudience, type EvaluationMode } from '../../../server/src/core/rules';
import {
  endsWithIgnoringCase,
  equalsIgnoringCase,
  includesIgnoringCase,
  startsWithIgnoringCase,
} from '../../../server/src/core/rules/ignoring-case';
import { parseIsoInstant } from '../../../server/src/core/rules/iso-date';
import { compareSemver, parseSemver } from '../../../server/src/core/rules/semver';

const MODES: EvaluationMode[] = ['compiled', 'interpreted'];
const pad = (n: number) => String(n).padStart(2, '0');

type Case = [description: string, rule: unknown, context: Record<string, unknown>, expected: boolean];

const NOW = '2026-03-01T00:00:00.000Z';

const dateCases: Case[] = [
  ['before: earlier instant', { before: [{ var: 'now' }, '2026-12-24'] }, { now: NOW }, true],
  ['before: later instant', { before: [{ var: 'now' }, '2026-01-01'] }, { now: NOW }, false],
  ['before: the same instant is not before', { before: [{ var: 'now' }, '2026-03-01'] }, { now: NOW }, false],
  ['before: literal on the left', { before: ['2026-01-01', { var: 'now' }] }, { now: NOW }, true],
  ['before: both operands from the context', { before: [{ var: 'a' }, { var: 'b' }] }, { a: '2026-01-01', b: NOW }, true],
  ['after: later instant', { after: [{ var: 'now' }, '2026-02-28T23:59:59.999Z'] }, { now: NOW }, true],
  ['after: the same instant is not after', { after: [{ var: 'now' }, NOW] }, { now: NOW }, false],
  ['offsets: +01:00 is an hour earlier in UTC', { after: [{ var: 'now' }, '2026-03-01T00:30:00+01:00'] }, { now: NOW }, true],
  ['offsets: -05:00', { before: [{ var: 'now' }, '2026-02-28T19:00:01-05:00'] }, { now: NOW }, true],
  ['a date-time without offset is UTC', { before: ['2026-03-01T00:00:00', '2026-03-01T00:00:00.001Z'] }, {}, true],
  ['between: start is inside', { between: [{ var: 'now' }, NOW, '2026-03-02'] }, { now: NOW }, true],
  ['between: end is outside', { between: [{ var: 'now' }, '2026-02-01', NOW] }, { now: NOW }, false],
  ['between: bounds from the context', { between: ['2026-02-15', { var: 's' }, { var: 'e' }] }, { s: '2026-02-01', e: NOW }, true],
  ['between: reversed window matches nothing', { between: [{ var: 'now' }, '2026-04-01', '2026-01-01'] }, { now: NOW }, false],
  ['invalid day: 30 February', { before: [{ var: 'now' }, '2026-02-30'] }, { now: NOW }, false],
  ['invalid day: after is false too', { after: [{ var: 'now' }, '2026-02-30'] }, { now: NOW }, false],
  ['non-ISO text that Date.parse accepts', { before: [{ var: 'now' }, 'March 2, 2026'] }, { now: NOW }, false],
  ['epoch numbers are not instants', { before: [{ var: 'now' }, 1893456000000] }, { now: NOW }, false],
  ['missing attribute: before is false', { before: [{ var: 'birthday' }, '2000-01-01'] }, {}, false],
  ['missing attribute: after is false', { after: [{ var: 'birthday' }, '2000-01-01'] }, {}, false],
  ['missing attribute: between is false', { between: [{ var: 'birthday' }, '1900-01-01', '2100-01-01'] }, {}, false],
];

const stringCases: Case[] = [
  ['starts_with ignores case', { starts_with: [{ var: 'country' }, 'dE'] }, { country: 'Deutschland' }, true],
  ['starts_with: not a prefix', { starts_with: [{ var: 'country' }, 'land'] }, { country: 'Deutschland' }, false],
  ['starts_with: empty prefix', { starts_with: [{ var: 'country' }, ''] }, { country: 'Deutschland' }, true],
  ['starts_with: non-ASCII', { starts_with: [{ var: 'city' }, 'ärz'] }, { city: 'Ärzteviertel' }, true],
  ['starts_with: number subject is false', { starts_with: [{ var: 'n' }, '4'] }, { n: 42 }, false],
  ['starts_with: missing subject is false', { starts_with: [{ var: 'country' }, 'd'] }, {}, false],
  ['starts_with: prefix from the context', { starts_with: ['utm-Spring-2026', { var: 'p' }] }, { p: 'UTM-spring' }, true],
  ['ends_with ignores case', { ends_with: [{ var: 'country' }, 'LAND'] }, { country: 'Deutschland' }, true],
  ['ends_with: not a suffix', { ends_with: [{ var: 'country' }, 'deutsch'] }, { country: 'Deutschland' }, false],
  ['ends_with: longer suffix than subject', { ends_with: [{ var: 'x' }, 'abc'] }, { x: 'bc' }, false],
  ['contains: substring ignoring case', { contains: [{ var: 'country' }, 'TSCH'] }, { country: 'Deutschland' }, true],
  ['contains: no substring', { contains: [{ var: 'country' }, 'fr'] }, { country: 'Deutschland' }, false],
  ['contains: array member ignoring case', { contains: [{ var: 'interests' }, 'SPORT'] }, { interests: ['news', 'Sport'] }, true],
  ['contains: array needs a whole member', { contains: [{ var: 'interests' }, 'spo'] }, { interests: ['sport'] }, false],
  ['contains: numbers by identity', { contains: [{ var: 'ids' }, 2] }, { ids: [1, 2] }, true],
  ['contains: no coercion between 2 and "2"', { contains: [{ var: 'ids' }, '2'] }, { ids: [1, 2] }, false],
  ['contains: literal array', { contains: [['DE', 'AT', 'CH'], { var: 'country' }] }, { country: 'at' }, true],
  ['contains: missing haystack is false', { contains: [{ var: 'interests' }, 'sport'] }, {}, false],
  ['contains: number haystack is false', { contains: [{ var: 'n' }, '4'] }, { n: 42 }, false],
  ['core in: case-sensitive array membership', { in: [{ var: 'country' }, ['DE', 'AT']] }, { country: 'de' }, false],
  ['core in: array membership', { in: [{ var: 'country' }, ['DE', 'AT']] }, { country: 'AT' }, true],
];

const semverCases: Case[] = [
  ['semver_gt compares numerically', { semver_gt: [{ var: 'v' }, '1.9.0'] }, { v: '1.10.0' }, true],
  ['semver_gt: equal is not greater', { semver_gt: [{ var: 'v' }, '1.2.3'] }, { v: '1.2.3' }, false],
  ['semver_gte: equal', { semver_gte: [{ var: 'v' }, '1.2.3'] }, { v: '1.2.3' }, true],
  ['semver_lt: pre-release below release', { semver_lt: [{ var: 'v' }, '1.0.0'] }, { v: '1.0.0-rc.1' }, true],
  ['semver_lte: lower patch', { semver_lte: [{ var: 'v' }, '1.2.4'] }, { v: '1.2.3' }, true],
  ['semver_eq ignores build metadata', { semver_eq: [{ var: 'v' }, '1.2.3+build.9'] }, { v: '1.2.3+other' }, true],
  ['semver_eq: different pre-release', { semver_eq: [{ var: 'v' }, '1.2.3-beta'] }, { v: '1.2.3' }, false],
  ['partial versions are not versions', { semver_lt: [{ var: 'v' }, '2.0.0'] }, { v: '1.2' }, false],
  ['a v prefix is not a version', { semver_lt: [{ var: 'v' }, '2.0.0'] }, { v: 'v1.2.3' }, false],
  ['leading zeros are not a version', { semver_lt: [{ var: 'v' }, '2.0.0'] }, { v: '01.2.3' }, false],
  ['missing version is false', { semver_gte: [{ var: 'v' }, '0.0.0'] }, {}, false],
  ['literal subject, version from the context', { semver_gt: ['3.0.0', { var: 'v' }] }, { v: '2.9.9' }, true],
];

describe.each(MODES)('targeting operators (%s)', (mode) => {
  it.each([...dateCases, ...stringCases, ...semverCases])('%s', (_description, rule, context, expected) => {
    const compiled = compileAudience(rule, { mode });
    expect(compiled.mode).toBe(mode);
    expect(compiled.evaluate(context)).toBe(expected);
  });

  it('negating a failed comparison on a missing attribute is true, as in core JSON Logic', () => {
    expect(compileAudience({ '!': { before: [{ var: 'birthday' }, '2000-01-01'] } }, { mode }).evaluate({})).toBe(true);
  });

  it('folds an all-literal call at compile time to the same answer', () => {
    expect(compileAudience({ between: ['2026-06-01', '2026-01-01', '2027-01-01'] }, { mode }).evaluate({})).toBe(true);
    expect(compileAudience({ starts_with: ['Hello', 'HE'] }, { mode }).evaluate({})).toBe(true);
  });

  it('reads hour and weekday built-ins with core comparisons', () => {
    const officeHours = compileAudience(
      { and: [{ '<=': [1, { var: 'weekday' }, 5] }, { '<=': [9, { var: 'hour' }, 17] }] },
      { mode }
    );
    expect(officeHours.evaluate({ weekday: 3, hour: 9 })).toBe(true);
    expect(officeHours.evaluate({ weekday: 3, hour: 18 })).toBe(false);
    expect(officeHours.evaluate({ weekday: 0, hour: 10 })).toBe(false);
  });
});

describe('parseIsoInstant', () => {
  it.each([
    ['2026-03-01', Date.UTC(2026, 2, 1)],
    ['2026-03-01T12:34', Date.UTC(2026, 2, 1, 12, 34)],
    ['2026-03-01T12:34:56Z', Date.UTC(2026, 2, 1, 12, 34, 56)],
    ['2026-03-01T12:34:56.7Z', Date.UTC(2026, 2, 1, 12, 34, 56, 700)],
    ['2026-03-01T12:34:56.123456789Z', Date.UTC(2026, 2, 1, 12, 34, 56, 123)],
    ['2026-03-01T12:00:00+05:30', Date.UTC(2026, 2, 1, 6, 30)],
    ['2026-03-01T00:00:00-01:00', Date.UTC(2026, 2, 1, 1)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2000-02-29', Date.UTC(2000, 1, 29)],
  ])('reads %s', (text, expected) => {
    expect(parseIsoInstant(text)).toBe(expected);
  });

  it('agrees with Date on every instant, in UTC or with an offset', () => {
    const instants = fc.date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instants, fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }), (date, offset) => {
        expect(parseIsoInstant(date.toISOString())).toBe(date.getTime());
        const local = new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 23);
        const zone = `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
        expect(parseIsoInstant(local + zone)).toBe(date.getTime());
      }),
      { numRuns: 500 }
    );
  });

  it('keeps years below 100 literal', () => {
    expect(new Date(parseIsoInstant('0099-12-31')).getUTCFullYear()).toBe(99);
  });

  it.each([
    '2023-02-29',
    '1900-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-04-31',
    '2026-03-01T24:00',
    '2026-03-01T12:60',
    '2026-03-01T12:00:60Z',
    '2026-03-01T12:00+24:00',
    '2026-03-01T12:00+0100',
    '2026-03-01 12:00',
    '26-03-01',
    '2026-3-1',
    'March 1, 2026',
    '',
  ])('refuses %p', (text) => {
    expect(parseIsoInstant(text)).toBeNaN();
  });
});

describe('case-insensitive matching', () => {
  // ASCII, letters whose lower case is longer (İ) or ASCII (K, the Kelvin sign), and final sigma.
  const text = fc.string({ unit: fc.constantFrom('a', 'B', 'c', 'D', ' ', 'İ', 'i', '\u0307', 'K', 'k', 'Σ', 'σ', 'ς', 'é', 'É'), maxLength: 8 });

  // Needles cut from the text, in either case, so that matches are common.
  const needleOf = fc
    .tuple(text, fc.nat(8), fc.nat(8), fc.boolean())
    .map(([subject, i, j, upper]) => {
      const part = subject.slice(Math.min(i, j), Math.max(i, j));
      return [subject, upper ? part.toUpperCase() : part] as const;
    });

  it('agrees with toLowerCase on every text and needle', () => {
    fc.assert(
      fc.property(fc.oneof(fc.tuple(text, text), needleOf), ([subject, needle]) => {
        const lower = needle.toLowerCase();
        const reference = subject.toLowerCase();
        expect(startsWithIgnoringCase(subject, lower)).toBe(reference.startsWith(lower));
        expect(endsWithIgnoringCase(subject, lower)).toBe(reference.endsWith(lower));
        expect(includesIgnoringCase(subject, lower)).toBe(reference.includes(lower));
        expect(equalsIgnoringCase(subject, lower)).toBe(reference === lower);
      }),
      { numRuns: 10_000 }
    );
  });
});

describe('semantic versions', () => {
  // The precedence chain semver.org §11 gives as its example.
  const chain = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0',
    '1.0.1',
    '1.1.0',
    '2.0.0',
  ];

  it('orders the semver.org precedence example', () => {
    for (let i = 0; i < chain.length; i++) {
      for (let j = 0; j < chain.length; j++) {
        const order = compareSemver(parseSemver(chain[i])!, parseSemver(chain[j])!);
        expect(Math.sign(order)).toBe(Math.sign(i - j));
      }
    }
  });

  it.each(['1.2', '1', 'v1.2.3', '1.2.3.4', '01.2.3', '1.2.3-01', '1.2.3-', '1.2.3+', ' 1.2.3', '9007199254740993.0.0'])(
    'refuses %p',
    (text) => {
      expect(parseSemver(text)).toBeNull();
    }
  );
});
