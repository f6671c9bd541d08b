import { DEFAULT_TCF_PURPOSE_MAP, MAX_TCF_STRING_LENGTH, purposesFromTcf } from '../../../server/src/core/consent';
import { TCF_ALL, TCF_INVALID_VECTORS, TCF_VECTORS } from './fixtures';

/** One of our purposes per TCF purpose, to read back exactly which TCF purposes have consent. */
const EACH_TCF_PURPOSE = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`tcf${i + 1}`, [i + 1]]));

const granted = (tcString: string, map = DEFAULT_TCF_PURPOSE_MAP) => {
  const result = purposesFromTcf(tcString, map);
  if (!result.ok) throw new Error(`${tcString} did not decode`);
  return [...result.purposes].sort();
};

describe('TCF conformance vectors', () => {
  it('has the 17 valid and 1 invalid vectors of the conformance data', () => {
    expect(TCF_VECTORS).toHaveLength(17);
    expect(TCF_INVALID_VECTORS).toHaveLength(1);
  });

  it.each(TCF_VECTORS.map((vector) => [vector.id, vector] as const))(
    'reads the purpose consents of %s',
    (_id, vector) => {
      expect(granted(vector.tcString, EACH_TCF_PURPOSE)).toEqual(vector.purposeConsents.map((id) => `tcf${id}`).sort());
    }
  );

  it.each(TCF_VECTORS.map((vector) => [vector.id, vector] as const))(
    'maps %s through the default map (personalization ⇐ 5∧6, measurement ⇐ 8, marketing ⇐ 2∧3∧4)',
    (_id, vector) => {
      const has = (id: number) => vector.purposeConsents.includes(id);
      const expected = [
        has(5) && has(6) && 'personalization',
        has(8) && 'measurement',
        has(2) && has(3) && has(4) && 'marketing',
      ].filter((purpose): purpose is string => purpose !== false);
      expect(granted(vector.tcString)).toEqual(expected.sort());
    }
  );

  it.each(TCF_INVALID_VECTORS.map((vector) => [vector.id, vector.tcString]))(
    'refuses the invalid vector %s as tcf-malformed',
    (_id, tcString) => {
      expect(purposesFromTcf(tcString, DEFAULT_TCF_PURPOSE_MAP)).toEqual({ ok: false, reason: 'tcf-malformed' });
    }
  );

  it('reads a TC string whose publisher segment has base64 padding like its unpadded form', () => {
    const padded = TCF_VECTORS.filter((vector) => vector.tcString.includes('='));
    expect(padded.length).toBeGreaterThan(0);
    for (const vector of padded) {
      const unpadded = vector.tcString.replace(/=+/g, '');
      expect(granted(vector.tcString, EACH_TCF_PURPOSE)).toEqual(granted(unpadded, EACH_TCF_PURPOSE));
    }
  });
});

describe('TCF mapping', () => {
  it('grants a purpose only when every mapped TCF purpose has consent', () => {
    expect(granted(TCF_ALL, { a: [1, 10], b: [1, 11], c: [11] })).toEqual(['a']);
  });

  it('never grants a purpose mapped to no TCF purpose', () => {
    expect(granted(TCF_ALL, { vacuous: [] })).toEqual([]);
  });

  it('grants nothing with an empty map', () => {
    expect(granted(TCF_ALL, {})).toEqual([]);
  });

  it('uses the default map when none is given', () => {
    expect(purposesFromTcf(TCF_ALL)).toEqual({
      ok: true,
      purposes: new Set(['personalization', 'measurement', 'marketing']),
    });
  });
});

describe('malformed TC strings', () => {
  it.each([
    ['an empty string', ''],
    ['junk', 'hello world'],
    ['a TCF v1 string', 'BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA'],
    ['too short a core segment', 'CO'],
    ['an empty segment', `${TCF_ALL}..`],
    ['padding inside a segment', `${TCF_ALL.slice(0, 10)}=${TCF_ALL.slice(10)}`],
    ['a string over the length cap', `${TCF_ALL}.${'A'.repeat(MAX_TCF_STRING_LENGTH)}`],
    ['a non-string', 42 as unknown as string],
  ])('refuses %s as tcf-malformed without throwing', (_label, tcString) => {
    expect(purposesFromTcf(tcString, DEFAULT_TCF_PURPOSE_MAP)).toEqual({ ok: false, reason: 'tcf-malformed' });
  });

  it('gives the same answer for a repeated string (decoded consents are memoized)', () => {
    const first = purposesFromTcf(TCF_ALL, DEFAULT_TCF_PURPOSE_MAP);
    const second = purposesFromTcf(TCF_ALL, DEFAULT_TCF_PURPOSE_MAP);
    expect(second).toEqual(first);
    if (!first.ok || !second.ok) throw new Error('expected a valid TC string');
    // Callers get their own set: changing one answer cannot change the next.
    first.purposes.clear();
    expect(purposesFromTcf(TCF_ALL, DEFAULT_TCF_PURPOSE_MAP)).toEqual(second);
  });
});
