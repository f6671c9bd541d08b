/**
 * fast-check generators for audience rules over a small catalogue with purposes, and for the
 * raw attributes a token or context header might carry. Every generated rule passes validateRule.
 */
import fc from 'fast-check';
import type { Catalogue } from '../../../server/src/core/catalogue';
import { checkRuleShape } from '../../../server/src/core/rules';

export const TEST_CATALOGUE: Catalogue = Object.freeze({
  country: { type: 'string', source: 'token', purpose: 'personalization' },
  age: { type: 'number', source: 'token', purpose: 'personalization' },
  birthday: { type: 'date', source: 'token', purpose: 'personalization' },
  interests: { type: 'string[]', source: 'token', purpose: 'marketing' },
  newsletter: { type: 'boolean', source: 'token', purpose: 'functional' },
  device: { type: 'string', source: 'context', purpose: 'functional' },
  appVersion: { type: 'string', source: 'context', purpose: 'measurement' },
});

export const TEST_PURPOSES = ['personalization', 'marketing', 'functional', 'measurement'] as const;
export const TOKEN_ATTRIBUTES = ['country', 'age', 'birthday', 'interests', 'newsletter'] as const;
export const CONTEXT_ATTRIBUTES = ['device', 'appVersion'] as const;

const text = fc.constantFrom('DE', 'de', 'FR', 'Deutschland', 'sport', 'Sport', 'news', '', 'mobile', 'iOS', '1');
const version = fc.constantFrom('1.0.0', '1.2.3', '1.10.0', '2.0.0-beta.1', '2.0.0', '1.2', 'bad');
const instant = fc.constantFrom(
  '2026-03-29T01:00:00Z',
  '2026-03-29T03:00:00+02:00',
  '1990-05-01',
  '2000-02-29',
  '2026-12-24T18:00:00+01:00',
  '2026-02-30',
  'not a date'
);
const number = fc.integer({ min: -5, max: 120 });
const literal = fc.oneof(text, number, fc.boolean(), fc.constant(null));

const v = (name: string) => ({ var: name });
const textVar = fc.constantFrom('country', 'device', 'locale').map(v);
const numberVar = fc.constantFrom('age', 'hour', 'weekday').map(v);
const anyVar = fc
  .constantFrom('country', 'age', 'birthday', 'interests', 'newsletter', 'device', 'appVersion', 'now', 'hour', 'weekday', 'locale')
  .map(v);
const dateOperand = fc.oneof(fc.constantFrom('birthday', 'now').map(v), instant);
const attributeNames = fc.subarray(['country', 'age', 'interests', 'newsletter', 'device', 'locale'], { minLength: 1 });

const itemCondition = fc.oneof(
  text.map((t) => ({ '==': [{ var: '' }, t] })),
  text.map((t) => ({ starts_with: [{ var: '' }, t] })),
  text.map((t) => ({ contains: [{ var: '' }, t] }))
);

/** Either operand order: generated code once treated a computed right-hand operand differently. */
const pair = <A, B>(a: fc.Arbitrary<A>, b: fc.Arbitrary<B>) =>
  fc.tuple(a, b, fc.boolean()).map(([x, y, swap]) => (swap ? [y, x] : [x, y]));

/** Values computed by core operators, which may be of any type or throw. */
const computed = fc.oneof(
  fc.tuple(textVar, text).map(([a, t]) => ({ cat: [a, '-', t] })),
  fc.tuple(textVar, fc.integer({ min: -3, max: 3 })).map(([a, n]) => ({ substr: [a, n] })),
  fc.tuple(numberVar, number).map(([a, n]) => ({ '-': [a, n] })),
  numberVar.map((a) => ({ '-': [a] })),
  fc.tuple(numberVar, number).map(([a, n]) => ({ '*': [a, n] })),
  fc.tuple(numberVar, number).map(([a, n]) => ({ max: [a, n] })),
  fc.tuple(numberVar, number).map(([a, n]) => ({ min: [n, a] })),
  fc.tuple(anyVar, literal).map(([a, l]) => ({ if: [a, l, a] })),
  fc.tuple(anyVar, anyVar).map(([a, b]) => ({ or: [a, b] })),
  fc.tuple(anyVar, anyVar).map(([a, b]) => ({ and: [a, b] }))
);
const operand = fc.oneof(anyVar, literal, computed);

const condition: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(fc.constantFrom('==', '!=', '===', '!=='), pair(anyVar, literal)).map(([op, args]) => ({ [op]: args })),
  fc.tuple(fc.constantFrom('<', '<=', '>', '>='), pair(numberVar, number)).map(([op, args]) => ({ [op]: args })),
  fc.tuple(fc.constantFrom('==', '!=', '<', '>='), operand, operand).map(([op, a, b]) => ({ [op]: [a, b] })),
  fc.tuple(number, numberVar, number).map(([lo, x, hi]) => ({ '<=': [lo, x, hi] })),
  fc.tuple(operand, operand, operand).map((args) => ({ '<': args })),
  fc.tuple(operand, fc.array(literal, { maxLength: 3 })).map(([a, list]) => ({ in: [a, { merge: [list, { var: 'interests' }] }] })),
  fc.tuple(textVar, fc.array(text, { maxLength: 4 })).map(([a, list]) => ({ in: [a, list] })),
  text.map((t) => ({ in: [t, { var: 'interests' }] })),
  fc.tuple(fc.constantFrom('starts_with', 'ends_with', 'contains'), textVar, text).map(([op, a, b]) => ({ [op]: [a, b] })),
  text.map((t) => ({ contains: [{ var: 'interests' }, t] })),
  fc.tuple(fc.constantFrom('before', 'after'), dateOperand, dateOperand).map(([op, a, b]) => ({ [op]: [a, b] })),
  fc.tuple(dateOperand, instant, instant).map(([x, start, end]) => ({ between: [x, start, end] })),
  fc
    .tuple(fc.constantFrom('semver_eq', 'semver_gt', 'semver_gte', 'semver_lt', 'semver_lte'), version)
    .map(([op, b]) => ({ [op]: [{ var: 'appVersion' }, b] })),
  fc.tuple(fc.constantFrom('some', 'all', 'none'), itemCondition).map(([op, body]) => ({ [op]: [{ var: 'interests' }, body] })),
  attributeNames.map((names) => ({ missing: names })),
  fc.tuple(fc.integer({ min: 0, max: 3 }), attributeNames).map(([n, names]) => ({ missing_some: [n, names] })),
  anyVar.map((a) => ({ '!!': a })),
  text.map((t) => ({ '==': [{ var: ['country', 'DE'] }, t] })),
  fc.tuple(number, number).map(([n, m]) => ({ '>': [{ '+': [{ var: 'age' }, n] }, m] })),
  number.map((n) => ({ '==': [{ '%': [{ var: 'hour' }, 2] }, n % 2] })),
  // Division by an attribute that may be 0 throws at run time.
  number.map((n) => ({ '>': [{ '/': [100, { var: 'age' }] }, n] }))
  // Literal-only comparisons such as {"==": ["DE", 0]} always fail, and validation refuses them.
).filter((leaf) => checkRuleShape(leaf) === null);

export const ruleArbitrary: fc.Arbitrary<unknown> = fc.letrec<{ rule: unknown }>((tie) => ({
  rule: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'rule' },
    condition,
    fc.array(tie('rule'), { minLength: 1, maxLength: 3 }).map((rules) => ({ and: rules })),
    fc.array(tie('rule'), { minLength: 1, maxLength: 3 }).map((rules) => ({ or: rules })),
    tie('rule').map((rule) => ({ '!': rule })),
    fc.tuple(tie('rule'), tie('rule'), tie('rule')).map((args) => ({ if: args }))
  ),
})).rule;

const wellTyped: Record<string, fc.Arbitrary<unknown>> = {
  country: text,
  age: number,
  birthday: instant.filter((t) => !Number.isNaN(Date.parse(t))),
  interests: fc.array(text, { maxLength: 4 }),
  newsletter: fc.boolean(),
  device: text,
  appVersion: version,
};

/** Attribute values of the declared type, as a token or context header would carry them. */
export function rawAttributesArbitrary(names: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const name of names) model[name] = wellTyped[name];
  return fc.record(model, { requiredKeys: [] });
}

/** Any JSON value under any attribute name, well-typed or not: for comparing evaluation modes. */
export const looseContextArbitrary: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    ...wellTyped,
    now: instant,
    hour: fc.integer({ min: 0, max: 23 }),
    weekday: fc.integer({ min: 0, max: 6 }),
    locale: fc.constantFrom('de', 'en', 'fr-CA'),
    age: fc.oneof(number, text, fc.constant(null)),
    interests: fc.oneof(fc.array(text, { maxLength: 4 }), text, fc.constant(null), number),
  },
  { requiredKeys: [] }
);
