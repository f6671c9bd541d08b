import fc from 'fast-check';
import { visibleAttributes, type Catalogue } from '../../../server/src/core/catalogue';
import {
  AUDIENCE_OPERATORS,
  REFUSED_OPERATORS,
  buildRuleContext,
  checkRuleShape,
  compileAudience,
  explainRule,
  validateRule,
} from '../../../server/src/core/rules';
import {
  CONTEXT_ATTRIBUTES,
  TEST_CATALOGUE,
  TEST_PURPOSES,
  TOKEN_ATTRIBUTES,
  looseContextArbitrary,
  rawAttributesArbitrary,
  ruleArbitrary,
} from './rule-arbitraries';
import { createRuleEngine } from '../../../server/src/core/rules/engine';

const NOW = new Date('2026-03-29T01:30:00Z');

function attributesOf(purpose: string, catalogue: Catalogue): Set<string> {
  return new Set(Object.keys(catalogue).filter((name) => catalogue[name].purpose === purpose));
}

/** A copy whose `names` are getters that report being read. */
function withTripwires(raw: Record<string, unknown>, names: Set<string>, onRead: () => void): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!names.has(name)) copy[name] = value;
    else Object.defineProperty(copy, name, { enumerable: true, get: () => (onRead(), value) });
  }
  return copy;
}

function without(raw: Record<string, unknown>, names: Set<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([name]) => !names.has(name)));
}

function ruleContext(granted: ReadonlySet<string>, token: Record<string, unknown>, header: Record<string, unknown>) {
  const attributes = {
    ...visibleAttributes(TEST_CATALOGUE, 'token', granted, token),
    ...visibleAttributes(TEST_CATALOGUE, 'context', granted, header),
  };
  return buildRuleContext({ now: NOW, timeZone: 'Europe/Berlin', locale: 'de', attributes });
}

// The interpreter's other path: json-logic-engine stops caching plans after 500 unseen rules.
const unplanned = createRuleEngine();
unplanned.disableInterpretedOptimization = true;

function evaluateUnplanned(rule: unknown, context: object): boolean {
  try {
    return Boolean(unplanned.truthy(unplanned.run(rule, context)));
  } catch {
    return false;
  }
}

describe('properties of audience rules', () => {
  it('never read an attribute whose purpose is withheld, and answer as if it were never shared', () => {
    fc.assert(
      fc.property(
        ruleArbitrary,
        rawAttributesArbitrary(TOKEN_ATTRIBUTES),
        rawAttributesArbitrary(CONTEXT_ATTRIBUTES),
        fc.subarray([...TEST_PURPOSES]),
        fc.constantFrom(...TEST_PURPOSES),
        (rule, token, header, grantedList, withheld) => {
          expect(validateRule(rule, TEST_CATALOGUE)).toBeNull();
          const granted = new Set(grantedList.filter((purpose) => purpose !== withheld));
          const hidden = attributesOf(withheld, TEST_CATALOGUE);
          let reads = 0;
          const noteRead = () => {
            reads++;
          };

          const context = ruleContext(granted, withTripwires(token, hidden, noteRead), withTripwires(header, hidden, noteRead));
          const watched = new Proxy(context, {
            get(target, key) {
              const value = Reflect.get(target, key);
              if (typeof key === 'string' && hidden.has(key) && value !== undefined) noteRead();
              return value;
            },
            has(target, key) {
              const found = Reflect.has(target, key);
              if (typeof key === 'string' && hidden.has(key) && found) noteRead();
              return found;
            },
          });
          const audience = compileAudience(rule);
          const result = audience.evaluate(watched);

          const neverShared = ruleContext(new Set([...granted, withheld]), without(token, hidden), without(header, hidden));
          expect(reads).toBe(0);
          expect(result).toBe(audience.evaluate(neverShared));
        }
      ),
      { numRuns: 400 }
    );
  });

  it('give the same answer compiled, interpreted, and interpreted without plan caching', () => {
    fc.assert(
      fc.property(ruleArbitrary, looseContextArbitrary, fc.boolean(), (rule, raw, nullPrototype) => {
        const context = nullPrototype ? Object.assign(Object.create(null), raw) : raw;
        const compiled = compileAudience(rule, { mode: 'compiled' });
        const interpreted = compileAudience(rule, { mode: 'interpreted' });
        expect(interpreted.mode).toBe('interpreted');
        const answer = compiled.evaluate(context);
        expect(interpreted.evaluate(context)).toBe(answer);
        expect(evaluateUnplanned(rule, context)).toBe(answer);
      }),
      { numRuns: 1000 }
    );
  });

  it('explain the answer evaluation gives, reading no more than the rule names', () => {
    fc.assert(
      fc.property(ruleArbitrary, looseContextArbitrary, (rule, context) => {
        const audience = compileAudience(rule);
        const explanation = explainRule(rule, context);
        expect(explanation.result).toBe(audience.evaluate(context));
        expect(audience.reads).toEqual(expect.arrayContaining(explanation.read));
        expect(explanation.decidedBy).not.toBeNull();
      }),
      { numRuns: 400 }
    );
  });

  it('never throw on arbitrary input, and agree across modes whenever the shape is valid', () => {
    const operators = [...AUDIENCE_OPERATORS, ...Object.keys(REFUSED_OPERATORS), '__proto__', 'constructor'];
    const { node } = fc.letrec<{ node: unknown }>((tie) => ({
      node: fc.oneof(
        { maxDepth: 4, depthIdentifier: 'fuzz' },
        fc.oneof(fc.string({ maxLength: 4 }), fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(null)),
        fc.constantFrom('country', 'age', 'interests', 'now', '').map((name) => ({ var: name })),
        fc.array(tie('node'), { maxLength: 3 }),
        fc
          .tuple(fc.constantFrom(...operators), fc.oneof(tie('node'), fc.array(tie('node'), { maxLength: 3 })))
          .map(([operator, args]) => JSON.parse(JSON.stringify({ [operator]: args })) as unknown)
      ),
    }));
    fc.assert(
      fc.property(node, looseContextArbitrary, (rule, context) => {
        const compiled = compileAudience(rule, { mode: 'compiled' });
        const interpreted = compileAudience(rule, { mode: 'interpreted' });
        expect(typeof compiled.evaluate(context)).toBe('boolean');
        expect(() => validateRule(rule, TEST_CATALOGUE)).not.toThrow();
        expect(typeof explainRule(rule, context).result).toBe('boolean');
        if (checkRuleShape(rule) === null) expect(compiled.evaluate(context)).toBe(interpreted.evaluate(context));
        else expect(compiled.evaluate(context)).toBe(false);
      }),
      { numRuns: 1000 }
    );
  });
});
