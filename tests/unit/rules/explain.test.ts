import { explainRule } from '../../../server/src/core/rules';

const inGermany = { '==': [{ var: 'country' }, 'DE'] };
const adult = { '>=': [{ var: 'age' }, 18] };
const likesSport = { contains: [{ var: 'interests' }, 'sport'] };

describe('explainRule', () => {
  it('names the operand that made an and false, and reads nothing after it', () => {
    expect(explainRule({ and: [inGermany, adult, likesSport] }, { country: 'DE', age: 16, interests: ['sport'] })).toEqual({
      result: false,
      decidedBy: 'and[1]',
      read: ['age', 'country'],
    });
  });

  it('names the last operand when an and holds', () => {
    expect(explainRule({ and: [inGermany, adult] }, { country: 'DE', age: 30 })).toEqual({
      result: true,
      decidedBy: 'and[1]',
      read: ['age', 'country'],
    });
  });

  it('names the operand that made an or true, inside nested operators', () => {
    const rule = { and: [adult, { or: [inGermany, likesSport] }] };
    expect(explainRule(rule, { country: 'FR', age: 30, interests: ['Sport'] })).toEqual({
      result: true,
      decidedBy: 'and[1].or[1]',
      read: ['age', 'country', 'interests'],
    });
  });

  it('looks through ! and !!', () => {
    expect(explainRule({ '!': { or: [inGermany, adult] } }, { country: 'DE' })).toEqual({
      result: false,
      decidedBy: '!.or[0]',
      read: ['country'],
    });
    expect(explainRule({ '!!': [{ and: [inGermany] }] }, { country: 'DE' }).decidedBy).toBe('!![0].and[0]');
  });

  it('names the root for a single condition', () => {
    expect(explainRule(inGermany, { country: 'AT' })).toEqual({ result: false, decidedBy: '(root)', read: ['country'] });
  });

  it('names the node that failed, and the rule fails closed', () => {
    const rule = { or: [{ '>': [{ '/': [100, { var: 'age' }] }, 1] }, inGermany] };
    expect(explainRule(rule, { age: 0, country: 'DE' })).toEqual({ result: false, decidedBy: 'or[0]', read: ['age'] });
  });

  it('matches everyone without an audience, and no one with a refused rule, naming the part refused', () => {
    expect(explainRule(null, {})).toEqual({ result: true, decidedBy: null, read: [] });
    expect(explainRule({ and: [inGermany, { map: [[1], { var: '' }] }] }, { country: 'DE' })).toEqual({
      result: false,
      decidedBy: 'and[1]',
      read: [],
    });
  });

  it('reports attribute names, never their values', () => {
    const context = { country: 'secret-country', age: 41, interests: ['secret-interest'] };
    const explanation = JSON.stringify(explainRule({ or: [inGermany, adult, likesSport] }, context));
    expect(explanation).not.toMatch(/secret|41/);
    expect(explanation).toContain('"country"');
  });
});
