import fc from 'fast-check';
import { attributesReadBy, fromJsonLogic, purposesReadBy, toJsonLogic } from '../../../admin/src/rules/convert';
import { describeRule, type Wording } from '../../../admin/src/rules/describe';
import {
  OPERATORS,
  incompleteConditions,
  newCondition,
  emptyGroup,
  operatorsFor,
  refusedValues,
  type CatalogueAttribute,
  type Condition,
  type Group,
  type RuleNode,
} from '../../../admin/src/rules/model';
import { CATALOGUE } from '../../fixtures/rule-catalogue';

const byName = (name: string): CatalogueAttribute => {
  const found = CATALOGUE.find((attribute) => attribute.name === name);
  if (!found) throw new Error(`no attribute ${name} in the test catalogue`);
  return found;
};


function roundTrip(rule: unknown): unknown {
  const parsed = fromJsonLogic(rule, CATALOGUE);
  if (!parsed.ok) throw new Error(`refused: ${parsed.reason}`);
  return toJsonLogic(parsed.tree);
}

const CANONICAL: Array<[string, unknown]> = [
  ['no audience', null],
  ['string[] contains', { contains: [{ var: 'interests' }, 'outdoor'] }],
  ['string[] includes exactly (classic in)', { in: ['outdoor', { var: 'interests' }] }],
  ['string equals', { '==': [{ var: 'country' }, 'DE'] }],
  ['string differs', { '!=': [{ var: 'locale' }, 'de'] }],
  ['string is one of', { in: [{ var: 'country' }, ['DE', 'AT', 'CH']] }],
  ['string prefix', { starts_with: [{ var: 'device' }, 'mobile'] }],
  ['string suffix', { ends_with: [{ var: 'device' }, '-tablet'] }],
  ['app version', { semver_gte: [{ var: 'appVersion' }, '2.1.0'] }],
  ['number compare', { '>=': [{ var: 'hour' }, 9] }],
  ['number range', { '<=': [9, { var: 'hour' }, 17] }],
  ['number one of', { in: [{ var: 'weekday' }, [0, 6]] }],
  ['boolean', { '==': [{ var: 'subscriber' }, false] }],
  ['date before', { before: [{ var: 'now' }, '2026-12-24T00:00:00.000Z'] }],
  ['date window', { between: [{ var: 'now' }, '2026-12-01T00:00:00.000Z', '2027-01-07T00:00:00.000Z'] }],
  [
    'and of conditions',
    { and: [{ contains: [{ var: 'interests' }, 'outdoor'] }, { '>=': [{ var: 'hour' }, 9] }] },
  ],
  [
    'nested or inside and',
    {
      and: [
        { contains: [{ var: 'interests' }, 'outdoor'] },
        { or: [{ '==': [{ var: 'country' }, 'DE'] }, { '==': [{ var: 'country' }, 'AT'] }] },
      ],
    },
  ],
  ['negated condition', { '!': { '==': [{ var: 'locale' }, 'de'] } }],
  [
    'negated group',
    { '!': { or: [{ '==': [{ var: 'weekday' }, 0] }, { '==': [{ var: 'weekday' }, 6] }] } },
  ],
  ['double negation', { '!': { '!': { '>': [{ var: 'score' }, 10] } } }],
  [
    'negated group inside a group',
    {
      or: [
        { '<': [{ var: 'score' }, 3] },
        { '!': { and: [{ '==': [{ var: 'subscriber' }, true] }, { starts_with: [{ var: 'device' }, 'ios'] }] } },
      ],
    },
  ],
];

describe('rule builder: JSON Logic → builder → JSON Logic', () => {
  it.each(CANONICAL)('keeps "%s" unchanged', (_name, rule) => {
    expect(roundTrip(rule)).toEqual(rule);
  });

  it('round-trips every operator the builder offers, for every type it is offered on', () => {
    const sample: Record<string, unknown> = { string: 'x', number: 4, boolean: true, 'string[]': 'x', date: '2026-01-01T00:00:00.000Z', version: '2.1.0' };
    const byType = new Map(CATALOGUE.map((attribute) => [attribute.type, attribute.name]));
    let checked = 0;
    for (const operator of OPERATORS) {
      for (const type of operator.types) {
        const value = sample[type];
        const variable = { var: byType.get(type) };
        const rule =
          operator.varAt === 'last'
            ? { [operator.json]: [value, variable] }
            : operator.varAt === 'middle'
              ? { [operator.json]: [value, variable, value] }
              : operator.value === 'pair'
                ? { [operator.json]: [variable, value, value] }
                : operator.value === 'list'
                  ? { [operator.json]: [variable, [value]] }
                  : { [operator.json]: [variable, value] };
        const parsed = fromJsonLogic(rule, CATALOGUE);
        expect(parsed.ok && (parsed.tree.children[0] as Condition).operator).toBe(operator.id);
        expect(roundTrip(rule)).toEqual(rule);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(OPERATORS.length);
  });

  it('is the identity on every rule the builder can produce', () => {
    const attribute = fc.constantFrom(...CATALOGUE);
    const valueOf = (type: CatalogueAttribute['type']): fc.Arbitrary<number | boolean | string> =>
      type === 'number'
        ? fc.integer({ min: -5, max: 100 })
        : type === 'boolean'
          ? fc.boolean()
          : type === 'date'
            ? fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((date) => date.toISOString())
            : fc.string({ minLength: 1, maxLength: 8 });
    const condition: fc.Arbitrary<Condition> = attribute.chain((picked) =>
      fc.constantFrom(...OPERATORS.filter((operator) => operator.types.includes(picked.type))).chain((operator) => {
        const one = valueOf(picked.type);
        const value =
          operator.value === 'scalar' ? one : operator.value === 'pair' ? fc.tuple(one, one) : fc.array(one, { minLength: 1, maxLength: 3 });
        return (value as fc.Arbitrary<Condition['value']>).map((entered) => ({
          ...newCondition(picked),
          operator: operator.id,
          value: entered,
        }));
      })
    );
    const { node } = fc.letrec<{ node: RuleNode; group: Group }>((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, condition, tie('group')),
      group: fc.record({
        kind: fc.constant('group' as const),
        id: fc.constant('g'),
        combinator: fc.constantFrom('and' as const, 'or' as const),
        negated: fc.boolean(),
        children: fc.array(tie('node'), { minLength: 0, maxLength: 3 }),
      }),
    }));
    fc.assert(
      fc.property(node, (tree) => {
        const json = toJsonLogic(tree);
        expect(roundTrip(json)).toEqual(json);
      }),
      { numRuns: 500 }
    );
  });

  it('writes no audience for an empty builder', () => {
    expect(toJsonLogic(emptyGroup())).toBeNull();
  });

  it('writes a lone condition without a group around it', () => {
    const group = emptyGroup();
    group.children.push({ ...newCondition(CATALOGUE[0]), value: 'outdoor' });
    expect(toJsonLogic(group)).toEqual({ contains: [{ var: 'interests' }, 'outdoor'] });
  });

  it('reads a one-condition group as that condition (same meaning, canonical form)', () => {
    expect(roundTrip({ and: [{ '>': [{ var: 'hour' }, 9] }] })).toEqual({ '>': [{ var: 'hour' }, 9] });
  });

  it.each<[string, unknown, RegExp]>([
    ['an attribute outside the catalogue', { '==': [{ var: 'shoeSize' }, 42] }, /unknown attribute "shoeSize"/],
    ['an operator the type does not allow', { '<': [{ var: 'interests' }, 3] }, /"<"/],
    ['a value of the wrong type', { '==': [{ var: 'hour' }, '9'] }, /"=="/],
    ['an operator the builder does not show', { if: [{ var: 'subscriber' }, true, false] }, /"if"/],
    ['var with a default', { '==': [{ var: ['country', 'DE'] }, 'DE'] }, /"=="/],
    ['a literal rule', true, /literal/],
    ['an empty list', { in: [{ var: 'country' }, []] }, /"in"/],
  ])('hands %s to the JSON editor with a reason', (_name, rule, reason) => {
    const parsed = fromJsonLogic(rule, CATALOGUE);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });

  it('lists conditions that still need a value', () => {
    const group = emptyGroup();
    const interests = newCondition(CATALOGUE[0]);
    const hour = { ...newCondition(byName('hour')), operator: 'atLeast', value: 9 };
    group.children.push(interests, hour);
    const catalogue = new Map(CATALOGUE.map((attribute) => [attribute.name, attribute]));
    expect(incompleteConditions(group, catalogue).map((condition) => condition.id)).toEqual([interests.id]);
  });

  it('counts a value the catalogue refuses as not yet complete: out of range, fractional, or not listed', () => {
    const catalogue = new Map(CATALOGUE.map((attribute) => [attribute.name, attribute]));
    const refused = [
      { ...newCondition(byName('hour')), operator: 'from', value: [8, 25] },
      { ...newCondition(byName('weekday')), operator: 'equals', value: 1.5 },
      { ...newCondition(byName('ageGroup')), operator: 'equals', value: 'teenagers' },
    ];
    const allowed = [
      { ...newCondition(byName('hour')), operator: 'from', value: [0, 23] },
      { ...newCondition(byName('ageGroup')), operator: 'oneOf', value: ['18-24', '35+'] },
      { ...newCondition(byName('score')), operator: 'atLeast', value: 1e6 },
    ];
    const group = emptyGroup();
    group.children.push(...refused, ...allowed);
    expect(incompleteConditions(group, catalogue).map((condition) => condition.id)).toEqual(refused.map((condition) => condition.id));
    expect(refusedValues(byName('hour'), [8, 25])).toEqual([25]);
  });

  it('offers only the operators that fit an attribute: no version comparison on text, only listed values where there are some', () => {
    const ids = (name: string) => operatorsFor(byName(name)).map((operator) => operator.id);
    expect(ids('country')).not.toContain('versionAtLeast');
    expect(ids('appVersion')).toEqual(expect.arrayContaining(['versionAtLeast', 'versionAbove', 'versionAtMost', 'versionBelow']));
    expect(ids('appVersion')).not.toContain('startsWith');
    expect(ids('ageGroup')).toEqual(['equals', 'notEquals', 'oneOf']);
    expect(ids('hour')).not.toContain('contains');
  });
});

describe('what a rule reads', () => {
  const rule = { and: [{ contains: [{ var: 'interests' }, 'outdoor'] }, { '==': [{ var: 'device' }, 'ios'] }, { '>': [{ var: 'hour' }, 9] }] };

  it('names the attributes, also inside rules the builder cannot show', () => {
    expect(attributesReadBy(rule)).toEqual(['device', 'hour', 'interests']);
    expect(attributesReadBy({ some: [{ var: 'interests' }, { '==': [{ var: '' }, 'x'] }] })).toEqual(['interests']);
  });

  it('names the consent purposes those attributes need; built-ins need none', () => {
    expect(purposesReadBy(rule, CATALOGUE)).toEqual(['functional', 'personalization']);
    expect(purposesReadBy({ '>': [{ var: 'hour' }, 9] }, CATALOGUE)).toEqual([]);
  });
});

describe('an audience in words', () => {
  const wording: Wording = {
    condition: (attribute, operator, values) =>
      `${attribute?.name} ${({ contains: 'contains', atLeast: 'is at least', equals: 'is' } as Record<string, string>)[operator] ?? operator} ${values.join(' to ')}`,
    and: 'and',
    or: 'or',
    not: 'not',
    everyone: 'everyone',
    custom: (names) => `custom rule reading ${names.join(', ')}`,
    value: (_attribute, value) => JSON.stringify(value),
  };

  it('reads like a sentence', () => {
    const rule = { and: [{ contains: [{ var: 'interests' }, 'outdoor'] }, { '>=': [{ var: 'hour' }, 9] }] };
    expect(describeRule(rule, CATALOGUE, wording)).toBe('interests contains "outdoor" and hour is at least 9');
  });

  it('says everyone for no audience and names what a custom rule reads', () => {
    expect(describeRule(null, CATALOGUE, wording)).toBe('everyone');
    expect(describeRule({ if: [{ var: 'subscriber' }, true, false] }, CATALOGUE, wording)).toBe('custom rule reading subscriber');
  });
});
