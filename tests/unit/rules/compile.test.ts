import { compileAudience, detectEvaluationMode, type EvaluationMode } from '../../../server/src/core/rules';

const MODES: EvaluationMode[] = ['compiled', 'interpreted'];

describe('compileAudience', () => {
  it('compiles to generated code on a host that allows it', () => {
    expect(detectEvaluationMode()).toBe('compiled');
    expect(compileAudience({ '==': [{ var: 'country' }, 'DE'] }).mode).toBe('compiled');
  });

  it('compiles every audience operator to synchronous generated code', () => {
    const rule = {
      and: [
        { '==': [{ var: 'country' }, 'DE'] }, { '===': [1, { var: 'age' }] }, { '!=': [{ var: 'age' }, 2] },
        { '!==': [{ var: 'age' }, 3] }, { '<': [{ var: 'age' }, 4, 5] }, { '<=': [{ var: 'age' }, 6] },
        { '>': [7, { var: 'age' }] }, { '>=': [8, { var: 'age' }] }, { '!': { var: 'z' } }, { '!!': [{ var: 'a' }] },
        { or: [{ var: 'a' }, false] }, { if: [{ var: 'a' }, 1, 0] }, { '?:': [{ var: 'a' }, 1, 0] },
        { in: [{ var: 'country' }, ['DE']] }, { '!': { missing: ['country'] } }, { '!': { missing_some: [1, ['a', 'z']] } },
        { '+': [{ var: 'age' }, 1] }, { '-': [{ var: 'age' }] }, { '*': [{ var: 'age' }, 2] },
        { '/': [{ var: 'age' }, 2] }, { '%': [{ var: 'age' }, 2] }, { min: [{ var: 'age' }, 9] },
        { max: [{ var: 'age' }, 9] }, { cat: [{ var: 'country' }, '-'] }, { substr: [{ var: 'country' }, 1] },
        { some: [{ var: 'tags' }, { '==': [{ var: '' }, 'x'] }] }, { all: [{ var: 'tags' }, { var: '' }] },
        { none: [{ var: 'tags' }, { '==': [{ var: '' }, 'y'] }] }, { merge: [{ var: 'tags' }, ['z']] },
        { before: [{ var: 'now' }, '2027-01-01'] }, { after: [{ var: 'now' }, '2025-01-01'] },
        { between: [{ var: 'now' }, '2025-01-01', '2027-01-01'] }, { starts_with: [{ var: 'country' }, 'd'] },
        { ends_with: [{ var: 'country' }, 'e'] }, { contains: [{ var: 'tags' }, 'X'] },
        { semver_eq: [{ var: 'v' }, '1.0.0'] }, { semver_gt: [{ var: 'v' }, '0.9.0'] },
        { semver_gte: [{ var: 'v' }, '1.0.0'] }, { semver_lt: [{ var: 'v' }, '1.0.1'] },
        { semver_lte: [{ var: 'v' }, '1.0.0'] },
      ],
    };
    const audience = compileAudience(rule);
    expect(audience.problem).toBeNull();
    expect(audience.mode).toBe('compiled');
    const context = { country: 'DE', age: 1, a: true, b: 1, tags: ['x'], now: '2026-06-01T00:00:00Z', v: '1.0.0' };
    expect(audience.evaluate(context)).toBe(true);
    expect(compileAudience(rule, { mode: 'interpreted' }).evaluate(context)).toBe(true);
  });

  it('matches everyone when there is no audience', () => {
    for (const rule of [null, undefined]) {
      const audience = compileAudience(rule);
      expect(audience.mode).toBe('constant');
      expect(audience.evaluate({})).toBe(true);
      expect(audience.reads).toEqual([]);
    }
  });

  it('matches no one, and says why, when the rule is malformed', () => {
    const audience = compileAudience({ and: [true, { regex: ['.*', 'x'] }] });
    expect(audience.mode).toBe('constant');
    expect(audience.problem).toEqual({ path: 'and[1]', message: 'operator "regex" is not allowed' });
    expect(audience.evaluate({})).toBe(false);
  });

  it('lists the attributes it reads', () => {
    const audience = compileAudience({ or: [{ var: 'newsletter' }, { in: [{ var: 'country' }, ['DE', 'AT']] }] });
    expect(audience.reads).toEqual(['country', 'newsletter']);
  });

  it('keeps its own frozen copy of the rule', () => {
    const rule = { '==': [{ var: 'country' }, 'DE'] };
    const audience = compileAudience(rule);
    rule['=='][1] = 'FR';
    expect(audience.evaluate({ country: 'DE' })).toBe(true);
    expect(Object.isFrozen(audience.rule)).toBe(true);
    expect(audience.rule).toEqual({ '==': [{ var: 'country' }, 'DE'] });
  });

  describe.each(MODES)('%s', (mode) => {
    const evaluate = (rule: unknown, context: object = {}) => compileAudience(rule, { mode }).evaluate(context);

    it.each<[unknown, boolean]>([
      [true, true],
      [false, false],
      [{ merge: [[]] }, false],
      [{ merge: [[0]] }, true],
      [{ cat: ['0'] }, true],
      [{ cat: [''] }, false],
      [{ '+': [0] }, false],
      [{ if: [{ var: 'x' }, 'yes', null] }, false],
    ])('coerces the result of %j by JSON Logic truthiness', (rule, expected) => {
      expect(evaluate(rule)).toBe(expected);
    });

    it('answers false instead of throwing when the rule errors', () => {
      expect(evaluate({ '>': [{ '/': [100, { var: 'age' }] }, 1] }, { age: 0 })).toBe(false);
      expect(evaluate({ '>': [{ '/': [100, { var: 'age' }] }, 1] }, { age: 4 })).toBe(true);
    });

    it('answers false when reading the context throws', () => {
      const hostile = new Proxy({}, { get: () => { throw new Error('boom'); } });
      expect(evaluate({ '==': [{ var: 'country' }, 'DE'] }, hostile)).toBe(false);
    });

    it('fails closed when some/all/none meet a missing array, even under !', () => {
      const allSport = { all: [{ var: 'interests' }, { '==': [{ var: '' }, 'sport'] }] };
      const noneSport = { none: [{ var: 'interests' }, { '==': [{ var: '' }, 'sport'] }] };
      expect(evaluate(allSport, {})).toBe(false);
      expect(evaluate({ '!': allSport }, {})).toBe(false);
      expect(evaluate(noneSport, {})).toBe(false);
      expect(evaluate(noneSport, { interests: ['news'] })).toBe(true);
      expect(evaluate(allSport, { interests: ['sport', 'sport'] })).toBe(true);
      expect(evaluate(allSport, { interests: [] })).toBe(false);
    });

    it('reads attributes from null-prototype contexts', () => {
      const context = Object.assign(Object.create(null), { country: 'DE' });
      expect(evaluate({ '==': [{ var: 'country' }, 'DE'] }, context)).toBe(true);
    });
  });

  it('refuses a rule with a part that always fails, even in a branch that may not run', () => {
    // json-logic-engine folds {"/": [1, 0]} ahead of time when compiling, but only sometimes when
    // interpreting: kept, it would answer by host. Refused, it answers false everywhere.
    const rule = { or: [{ '==': [{ var: 'country' }, 'DE'] }, { '==': [{ '/': [1, 0] }, 1] }] };
    for (const mode of MODES) {
      const audience = compileAudience(rule, { mode });
      expect(audience.mode).toBe('constant');
      expect(audience.problem).toEqual({ path: 'or[1].==[0]', message: 'always fails (NaN)' });
      expect(audience.evaluate({ country: 'DE' })).toBe(false);
    }
  });

  it('refuses a rule whose build fails on a literal array some/all/none cannot go through', () => {
    const audience = compileAudience({ or: [{ var: 'newsletter' }, { some: [[0], { '>': [{ '/': [1, { var: '' }] }, 0] }] }] });
    expect(audience.problem).toEqual({ path: '(root)', message: 'always fails (NaN)' });
    expect(audience.evaluate({ newsletter: true })).toBe(false);
  });
});
