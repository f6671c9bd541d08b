import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { compileAudience, validateRule, type EvaluationMode } from '../../../server/src/core/rules';
import { ruleEngine } from '../../../server/src/core/rules/engine';
import { TEST_CATALOGUE } from './rule-arbitraries';

const MODES: EvaluationMode[] = ['compiled', 'interpreted'];
const FLAG = '__rulesInjected';
const flags = globalThis as unknown as Record<string, unknown>;

/** Strings that would run code if spliced into generated JavaScript unescaped. */
const SET_FLAG = `globalThis["${FLAG}"] = 1`;
const HOSTILE_STRINGS = [
  `"); ${SET_FLAG}; ("`,
  `'); ${SET_FLAG}; ('`,
  `\`; ${SET_FLAG}; \``,
  `\${${SET_FLAG}}`,
  `"]; ${SET_FLAG}; //`,
  `"]](context); ${SET_FLAG}; //`,
  `\\"; ${SET_FLAG}; //`,
  `\u2028${SET_FLAG};\u2029`,
  `</script><script>${SET_FLAG}</script>`,
  `*/ ${SET_FLAG}; /*`,
  `\n}; ${SET_FLAG}; {\n`,
];

afterEach(() => {
  delete flags[FLAG];
});

describe.each(MODES)('hostile string literals (%s)', (mode) => {
  it.each(HOSTILE_STRINGS)('compare as plain data and run nothing: %j', (payload) => {
    const rules = [
      { '==': [{ var: 'country' }, payload] },
      { in: [{ var: 'country' }, ['x', payload]] },
      { starts_with: [{ var: 'country' }, payload] },
      { contains: [{ var: 'interests' }, payload] },
      { '==': [{ cat: [payload, { var: 'country' }] }, payload + payload] },
      { some: [{ var: 'interests' }, { '===': [{ var: '' }, payload] }] },
      { '==': [{ var: ['device', payload] }, payload] },
      { before: [{ var: 'now' }, payload] },
    ];
    const context = { country: payload, interests: [payload] };
    const results = rules.map((rule) => compileAudience(rule, { mode }).evaluate(context));
    expect(results).toEqual([true, true, true, true, true, true, true, false]);
    expect(flags[FLAG]).toBeUndefined();
  });

  const hostileNames = HOSTILE_STRINGS.filter((payload) => !payload.includes('.') && !payload.includes('\\'));

  it.each(hostileNames)('as attribute names run nothing: %j', (payload) => {
    // Not valid (no such attribute), but compiling must still be harmless.
    expect(validateRule({ var: payload }, TEST_CATALOGUE)).not.toBeNull();
    const audience = compileAudience({ '==': [{ var: payload }, 'hit'] }, { mode });
    expect(audience.evaluate({ [payload]: 'hit' })).toBe(true);
    expect(flags[FLAG]).toBeUndefined();
  });
});

describe('the engine itself, without validation', () => {
  it.each([
    `"](1); ${SET_FLAG}; //`,
    'constructor',
    '__proto__',
    '__defineGetter__',
    'toString',
    'valueOf',
    'hasOwnProperty',
    'map',
    'preserve',
  ])('treats %j as an unknown operator in both modes', (operator) => {
    const rule = JSON.parse(JSON.stringify({ [operator]: ['x', { var: 'country' }] }));
    expect(() => ruleEngine.build(rule)).toThrow();
    expect(() => ruleEngine.run(rule, { country: 'DE' })).toThrow();
    expect(flags[FLAG]).toBeUndefined();
  });

  it('never hands a function from the context to a rule', () => {
    for (const rule of [{ var: 'constructor.constructor' }, { var: 'toString' }, { var: '__proto__.constructor' }]) {
      expect(ruleEngine.build(rule)({ country: 'DE' })).toBeNull();
      expect(ruleEngine.run(rule, { country: 'DE' })).toBeNull();
    }
    expect(ruleEngine.build({ cat: [{ var: 'constructor.constructor' }] })({})).toBe('');
  });

  it('reads nothing through the prototype of a null-prototype context', () => {
    const context = Object.create(null);
    expect(ruleEngine.build({ var: 'constructor' })(context)).toBeNull();
    expect(ruleEngine.build({ missing: ['constructor', 'toString'] })(context)).toEqual(['constructor', 'toString']);
  });
});

describe('prototype pollution', () => {
  it('refuses __proto__ keys and leaves Object.prototype alone', () => {
    const rule = JSON.parse('{"or": [{"__proto__": {"polluted": true}}, {"==": [1, 1]}]}');
    expect(validateRule(rule, TEST_CATALOGUE)?.path).toBe('or[0]');
    const audience = compileAudience(rule);
    expect(audience.evaluate({})).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses var paths into prototypes', () => {
    for (const name of ['__proto__', 'constructor', 'prototype', 'constructor.constructor', '__proto__.polluted']) {
      expect(validateRule({ var: name }, TEST_CATALOGUE)).not.toBeNull();
      expect(compileAudience({ '!!': { var: name } }).evaluate({ country: 'DE' })).toBe(false);
    }
  });
});

describe('hosts that forbid code generation', () => {
  it('detect it once and evaluate with the interpreter', () => {
    const rules = path.resolve(__dirname, '../../../server/src/core/rules');
    const script = `
      const { compileAudience, detectEvaluationMode } = require(${JSON.stringify(rules)});
      const audience = compileAudience({ and: [{ '==': [{ var: 'country' }, 'DE'] }, { before: [{ var: 'now' }, '2027-01-01'] }] });
      process.stdout.write(JSON.stringify([detectEvaluationMode(), audience.mode,
        audience.evaluate({ country: 'DE', now: '2026-01-01T00:00:00Z' }), audience.evaluate({ country: 'FR' })]));
    `;
    const child = spawnSync(
      process.execPath,
      ['--disallow-code-generation-from-strings', '-r', 'esbuild-register', '-e', script],
      { cwd: path.resolve(__dirname, '../../..'), encoding: 'utf8' }
    );
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual(['interpreted', 'interpreted', true, false]);
  });
});
