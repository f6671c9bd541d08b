import {
  MAX_RULE_BYTES,
  attributesRead,
  checkRuleShape,
  personalAttributesRead,
  purposesImplied,
  validateRule,
} from '../../../server/src/core/rules';
import { TEST_CATALOGUE } from './rule-arbitraries';

const country = { var: 'country' };

/** `depth` operators deep: `{"!": {"!": … {"var": "country"}}}`, the var being the last level. */
function nested(depth: number): unknown {
  let rule: unknown = country;
  for (let i = 1; i < depth; i++) rule = { '!': rule };
  return rule;
}

/** A valid `in` rule whose JSON is exactly `bytes` long. */
function ruleOfSize(bytes: number): unknown {
  const base = JSON.stringify({ in: [country, ['']] }).length;
  return { in: [country, ['x'.repeat(bytes - base)]] };
}

describe('validateRule refuses a bad rule and names the node', () => {
  const cyclic: { and: unknown[] } = { and: [] };
  cyclic.and.push(cyclic);
  const withGetter = { get var() { return 'country'; } };
  const withSymbol = { var: 'country', [Symbol('x')]: 1 };

  it.each<[string, unknown, string, string]>([
    ['an unknown operator', { and: [true, { regex: ['a', 'b'] }] }, 'and[1]', 'operator "regex" is not allowed'],
    ['a refused operator, with the reason', { or: [{ map: [[1], { var: '' }] }] }, 'or[0]', 'builds arrays from data'],
    ['an unknown attribute', { and: [true, { in: [{ var: 'foo' }, ['a']] }] }, 'and[1].in[0]', 'unknown attribute "foo"'],
    ['an unknown attribute with a default', { '==': [{ var: ['foo', 1] }, 1] }, '==[0]', 'unknown attribute "foo"'],
    ['a bad default value', { '==': [{ var: ['country', { map: [] }] }, 1] }, '==[0].var[1]', 'not allowed'],
    ['a dotted path', { var: 'country.code' }, '(root)', 'exact name'],
    ['a path into __proto__', { '!!': { var: '__proto__' } }, '!!', 'not an attribute name'],
    ['constructor.constructor', { '!!': [{ var: 'constructor.constructor' }] }, '!![0]', 'not an attribute name'],
    ['an inherited name', { '!!': [{ var: 'toString' }] }, '!![0]', 'unknown attribute "toString"'],
    ['var of the whole context', { '!!': { var: '' } }, '!!', 'var must name an attribute'],
    ['a computed var', { '!!': { var: { cat: ['coun', 'try'] } } }, '!!', 'var takes an attribute name'],
    ['a numeric var', { '!!': { var: 1 } }, '!!', 'var takes an attribute name'],
    ['var with three arguments', { '!!': { var: ['country', 1, 2] } }, '!!', 'var takes an attribute name'],
    ['an attribute read inside some', { some: [{ var: 'interests' }, { '==': [country, 'DE'] }] }, 'some[1].==[0]', 'current item'],
    ['missing inside all', { all: [{ var: 'interests' }, { missing: ['country'] }] }, 'all[1]', 'missing cannot be used'],
    ['missing of an unknown attribute', { missing: ['country', 'foo'] }, 'missing[1]', 'unknown attribute "foo"'],
    ['missing of a computed name', { missing: [{ cat: ['a'] }] }, 'missing[0]', 'literal attribute names'],
    ['missing_some without a count', { missing_some: ['1', ['country']] }, '(root)', '[count, [attribute names]]'],
    ['missing_some of an unknown attribute', { missing_some: [1, ['country', 'foo']] }, 'missing_some[1][1]', 'unknown'],
    ['an object with two keys', { or: [{ '==': [1, 1], '!=': [1, 2] }] }, 'or[0]', 'exactly one key; found 2'],
    ['an empty object', { and: [{}] }, 'and[0]', 'exactly one key; found 0'],
    ['a __proto__ key', JSON.parse('{"and":[{"__proto__":{"var":"country"}}]}'), 'and[0]', '"__proto__" is not allowed as a key'],
    ['a constructor key', { or: [{ constructor: [1] }] }, 'or[0]', '"constructor" is not allowed as a key'],
    ['a prototype key', { '!': { prototype: 1 } }, '!', '"prototype" is not allowed as a key'],
    ['too few arguments', { '==': [1] }, '(root)', '"==" takes 2 arguments; found 1'],
    ['a missing argument', { and: [true, { between: [country, '2026-01-01'] }] }, 'and[1]', 'takes 3 arguments; found 2'],
    ['too many arguments', { '==': [1, 2, 3] }, '(root)', '"==" takes 2 arguments; found 3'],
    ['an empty and', { and: [] }, '(root)', 'at least 1 argument'],
    ['a bare argument where an array is needed', { and: true }, '(root)', 'takes an array of arguments'],
    ['! with two arguments', { '!': [1, 2] }, '(root)', 'takes 1 argument; found 2'],
    ['a literal root that is not a boolean', 'DE', '(root)', 'operator object, true, false or null'],
    ['a root array', [country], '(root)', 'operator object'],
    ['nesting deeper than 16', nested(17), Array(16).fill('!').join('.'), 'deeper than 16 levels'],
    ['a cycle', cyclic, Array(16).fill('and[0]').join('.'), 'deeper than 16'],
    ['more than 10 KB', ruleOfSize(MAX_RULE_BYTES + 1), '(root)', `${MAX_RULE_BYTES + 1} bytes; the limit is 10240`],
    ['a function', { '==': [country, () => 'DE'] }, '==[1]', 'function values are not JSON'],
    ['undefined in a literal array', { in: [country, ['DE', undefined]] }, 'in[1][1]', 'undefined values are not JSON'],
    ['a hole in a literal array', { in: [country, ['DE', , 'AT']] }, 'in[1][1]', 'holes'], // eslint-disable-line no-sparse-arrays
    ['NaN', { '==': [{ var: 'age' }, NaN] }, '==[1]', 'NaN is not a JSON number'],
    ['Infinity', { '<': [{ var: 'age' }, Infinity] }, '<[1]', 'Infinity is not a JSON number'],
    ['a symbol', { '==': [country, Symbol('DE')] }, '==[1]', 'symbol values are not JSON'],
    ['a bigint', { '==': [{ var: 'age' }, BigInt(1)] }, '==[1]', 'bigint values are not JSON'],
    ['a Date object', { before: [{ var: 'now' }, new Date()] }, 'before[1]', 'only plain objects'],
    ['a Map', { in: [country, new Map()] }, 'in[1]', 'only plain objects'],
    ['a class instance', { in: [country, new (class List {})()] }, 'in[1]', 'only plain objects'],
    ['a getter', { '!!': withGetter }, '!!', 'getters and setters are not JSON'],
    ['a symbol key', { '!!': withSymbol }, '!!', 'symbol keys are not JSON'],
    ['a part that always fails', { or: [country, { '>': [{ '/': [1, 0] }, 1] }] }, 'or[1].>[0]', 'always fails (NaN)'],
    ['an always-failing default', { '==': [{ var: ['age', { '%': [1, 0] }] }, 1] }, '==[0].var[1]', 'always fails (NaN)'],
    ['max of text', { '<': [{ var: 'age' }, { max: ['a', 1] }] }, '<[1]', 'always fails (Invalid Arguments)'],
  ])('%s', (_description, rule, path, message) => {
    const problem = validateRule(rule, TEST_CATALOGUE);
    expect(problem).not.toBeNull();
    expect(problem!.path).toBe(path);
    expect(problem!.message).toContain(message);
  });
});

describe('validateRule accepts', () => {
  it.each<[string, unknown]>([
    ['no audience (null)', null],
    ['no audience (undefined)', undefined],
    ['everyone', true],
    ['no one', false],
    ['nesting of exactly 16', nested(16)],
    ['exactly 10 KB', ruleOfSize(MAX_RULE_BYTES)],
    ['a bare argument to !', { '!': { var: 'newsletter' } }],
    ['built-ins with an empty catalogue', { and: [{ '==': [{ var: 'weekday' }, 6] }, { '<': [{ var: 'hour' }, 12] }] }],
    [
      'every targeting operator',
      {
        and: [
          { between: [{ var: 'now' }, '2026-12-01', '2026-12-24T18:00:00+01:00'] },
          { or: [{ before: [{ var: 'birthday' }, '2000-01-01'] }, { after: [{ var: 'now' }, '2026-01-01'] }] },
          { starts_with: [{ var: 'locale' }, 'de'] },
          { ends_with: [{ var: 'device' }, 'phone'] },
          { contains: [{ var: 'interests' }, 'sport'] },
          { semver_gte: [{ var: 'appVersion' }, '2.1.0'] },
          { some: [{ var: 'interests' }, { starts_with: [{ var: '' }, 'sp'] }] },
          { '!': { missing: ['country'] } },
          { missing_some: [1, ['country', 'age']] },
          { in: [{ var: ['country', 'DE'] }, ['DE', 'AT', 'CH']] },
          { '?:': [{ var: 'newsletter' }, true, { '>=': [{ var: 'age' }, 18] }] },
        ],
      },
    ],
  ])('%s', (_description, rule) => {
    const catalogue = _description.startsWith('built-ins') ? {} : TEST_CATALOGUE;
    expect(validateRule(rule, catalogue)).toBeNull();
  });

  it('checkRuleShape accepts an attribute the catalogue lacks; validateRule does not', () => {
    const rule = { '==': [{ var: 'shoeSize' }, 42] };
    expect(checkRuleShape(rule)).toBeNull();
    expect(validateRule(rule, TEST_CATALOGUE)).toEqual({ path: '==[0]', message: 'unknown attribute "shoeSize"' });
  });
});

describe('what a rule reads', () => {
  const rule = {
    or: [
      { '==': [{ var: 'weekday' }, 6] },
      { some: [{ var: 'interests' }, { '==': [{ var: '' }, 'sport'] }] },
      { '==': [{ var: ['device', { var: 'country' }] }, 'mobile'] },
      { '!': { missing: ['newsletter'] } },
      { missing_some: [1, ['age', 'newsletter']] },
      { '==': [{ var: 'country' }, 'DE'] },
    ],
  };

  it('lists attribute names once, sorted, without the items some/all/none iterate', () => {
    expect(attributesRead(rule)).toEqual(['age', 'country', 'device', 'interests', 'newsletter', 'weekday']);
  });

  it('maps them to the purposes they need; built-ins need none', () => {
    expect(purposesImplied(rule, TEST_CATALOGUE)).toEqual(['functional', 'marketing', 'personalization']);
    expect(purposesImplied({ '<': [{ var: 'hour' }, 12] }, TEST_CATALOGUE)).toEqual([]);
  });

  it('names the personal attributes a mass variant may not read', () => {
    expect(personalAttributesRead(rule, TEST_CATALOGUE)).toEqual(['age', 'country', 'device', 'interests', 'newsletter']);
    expect(personalAttributesRead({ '==': [{ var: 'locale' }, 'de'] }, TEST_CATALOGUE)).toEqual([]);
  });

  it('reads nothing for no audience', () => {
    expect(attributesRead(null)).toEqual([]);
    expect(attributesRead(true)).toEqual([]);
  });
});
