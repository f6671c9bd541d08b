import { BUILTIN_ATTRIBUTES, type Catalogue } from '../../../server/src/core/catalogue';
import { describeCatalogue, validateAudience, validateRule } from '../../../server/src/core/rules';

const CATALOGUE: Catalogue = {
  ageGroup: { type: 'string', source: 'token', purpose: 'personalization', values: ['18-24', '25-34'] },
  country: { type: 'string', source: 'token', purpose: 'personalization' },
  interests: { type: 'string[]', source: 'token', purpose: 'marketing', values: ['sport', 'news'] },
  score: { type: 'number', source: 'token', purpose: 'marketing', min: 0, max: 10 },
  appVersion: { type: 'version', source: 'context', purpose: 'functional' },
  birthday: { type: 'date', source: 'token', purpose: 'personalization' },
  subscriber: { type: 'boolean', source: 'token', purpose: 'personalization' },
};

describe('validateAudience refuses what an attribute does not allow, naming the node', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['hour from 25 to 8', { '<=': [25, { var: 'hour' }, 8] }, '<=[0]', /25 is not a possible hour: it is a whole number from 0 to 23/],
    ['an hour that is not whole', { and: [{ '==': [{ var: 'hour' }, 7.5] }] }, 'and[0].==[1]', /7\.5 is not a possible hour/],
    ['weekday 7', { '==': [7, { var: 'weekday' }] }, '==[0]', /7 is not a possible weekday: it is a whole number from 0 to 6/],
    ['a value not listed', { '==': [{ var: 'ageGroup' }, 'teenagers'] }, '==[1]', /"teenagers" is not a value of ageGroup; allowed: "18-24", "25-34"/],
    ['a value not listed in one of', { or: [true, { in: [{ var: 'ageGroup' }, ['18-24', 'kids']] }] }, 'or[1].in[1][1]', /"kids" is not a value of ageGroup/],
    ['a list item not listed', { in: ['cooking', { var: 'interests' }] }, 'in[0]', /"cooking" is not a value of interests/],
    ['contains with an item not listed', { contains: [{ var: 'interests' }, 'cooking'] }, 'contains[1]', /"cooking"/],
    ['a number above max', { '>': [{ var: 'score' }, 11] }, '>[1]', /11 is not a possible score: it is a number from 0 to 10/],
    ['a version operator on country', { semver_gte: [{ var: 'country' }, '1.0.0'] }, '(root)', /"semver_gte" does not apply to country, which is text/],
    ['an order on text', { and: [{ '<': [{ var: 'country' }, 'M'] }] }, 'and[0]', /"<" does not apply to country/],
    ['a date operator on a number', { before: [{ var: 'score' }, '2026-01-01'] }, '(root)', /"before" does not apply to score, which is a number/],
    ['arithmetic on a boolean', { '>': [{ '+': [{ var: 'subscriber' }, 1] }, 1] }, '>[0]', /"\+" does not apply to subscriber, which is yes or no/],
    ['starts_with on a list', { starts_with: [{ var: 'interests' }, 's'] }, '(root)', /does not apply to interests, which is a list of texts/],
    ['a bare ! on a default', { '!': { semver_gt: [{ var: ['locale', 'de'] }, '1.0.0'] } }, '!', /"semver_gt" does not apply to locale/],
  ])('%s', (_name, rule, path, message) => {
    expect(validateRule(rule, CATALOGUE)).toBeNull();
    const problem = validateAudience(rule, CATALOGUE);
    expect(problem?.path).toBe(path);
    expect(problem?.message).toMatch(message);
  });

  it.each<[string, unknown]>([
    ['hour from 9 to 17', { '<=': [9, { var: 'hour' }, 17] }],
    ['a weekend', { in: [{ var: 'weekday' }, [0, 6]] }],
    ['listed values', { and: [{ '==': [{ var: 'ageGroup' }, '18-24'] }, { in: ['sport', { var: 'interests' }] }, { contains: [{ var: 'interests' }, 'NEWS'] }] }],
    ['free text where nothing is listed', { in: [{ var: 'country' }, ['DE', 'AT']] }],
    ['null, the absent value', { '!=': [{ var: 'ageGroup' }, null] }],
    ['a version compared as a version', { semver_gte: [{ var: 'appVersion' }, '2.1.0'] }],
    ['dates compared as dates', { between: [{ var: 'now' }, '2026-12-01', '2026-12-24'] }],
    ['items of a list in some', { some: [{ var: 'interests' }, { starts_with: [{ var: '' }, 'sp'] }] }],
    ['truthiness of any attribute', { or: [{ '!': { var: 'subscriber' } }, { '!!': { var: 'birthday' } }] }],
    ['everyone', null],
  ])('accepts %s', (_name, rule) => {
    expect(validateAudience(rule, CATALOGUE)).toBeNull();
  });
});

describe('the catalogue as the admin reads it', () => {
  const described = new Map(describeCatalogue(CATALOGUE).map((attribute) => [attribute.name, attribute]));

  it('gives the built-ins their ranges and the weekday its day names', () => {
    expect(described.get('hour')).toMatchObject({ min: 0, max: 23, integer: true, personal: false, title: 'Hour' });
    expect(described.get('weekday')).toMatchObject({ min: 0, max: 6, integer: true, labels: { 0: 'Sunday', 6: 'Saturday' } });
    expect([...described.keys()].slice(-4)).toEqual(Object.keys(BUILTIN_ATTRIBUTES));
  });

  it('offers only the operators that fit the type: no version operators on text', () => {
    expect(described.get('country')!.operators).not.toContain('semver_gte');
    expect(described.get('country')!.operators).toEqual(expect.arrayContaining(['==', 'in', 'contains', 'starts_with']));
    expect(described.get('appVersion')!.operators).toEqual(expect.arrayContaining(['semver_gte', 'semver_lt']));
    expect(described.get('score')!.operators).toEqual(expect.arrayContaining(['<', '<=', '>', '>=']));
    expect(described.get('birthday')!.operators).not.toContain('<');
    expect(described.get('ageGroup')).toMatchObject({ values: ['18-24', '25-34'], personal: true, title: 'ageGroup', min: null });
  });
});
