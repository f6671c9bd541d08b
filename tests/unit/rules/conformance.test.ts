/**
 * The public JSON Logic conformance data (tests/fixtures/conformance/jsonlogic) run on an engine
 * configured exactly like the audiences' one, compiled and interpreted. Cases that use a refused
 * operator are skipped by REFUSED_OPERATORS; KNOWN_DISAGREEMENTS lists the rest that differ.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AUDIENCE_OPERATORS, REFUSED_OPERATORS } from '../../../server/src/core/rules';
import { createRuleEngine } from '../../../server/src/core/rules/engine';

const DATA = path.resolve(__dirname, '../../fixtures/conformance/jsonlogic');

interface ConformanceCase {
  source: string;
  description: string;
  rule: unknown;
  data: unknown;
  result?: unknown;
  error?: { type: string };
}

/** Cases json-logic-engine answers differently, by description, with the reason we accept it. */
const KNOWN_DISAGREEMENTS: Readonly<Record<string, string>> = {
  'And with no arguments should return false':
    'json-logic-engine returns null, which is falsy: an audience gets the same answer, and validation refuses an empty and',
  'Empty OR returns false':
    'json-logic-engine returns null, which is falsy: an audience gets the same answer, and validation refuses an empty or',
};

function loadCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const suites = JSON.parse(fs.readFileSync(path.join(DATA, 'suites/index.json'), 'utf8')) as string[];
  for (const suite of suites) {
    const entries = JSON.parse(fs.readFileSync(path.join(DATA, 'suites', suite), 'utf8')) as unknown[];
    for (const entry of entries) {
      if (typeof entry === 'string') continue; // a "# comment"
      cases.push({ source: suite, ...(entry as Omit<ConformanceCase, 'source'>) });
    }
  }
  const classic = JSON.parse(fs.readFileSync(path.join(DATA, 'classic/tests.json'), 'utf8')) as unknown[];
  for (const entry of classic) {
    if (!Array.isArray(entry)) continue;
    const [rule, data, result] = entry;
    cases.push({ source: 'classic/tests.json', description: JSON.stringify(rule), rule, data, result });
  }
  return cases;
}

/** The operator (first key) of every object in the rule, at any depth. */
function operatorsUsed(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((item) => operatorsUsed(item, found));
  else if (node !== null && typeof node === 'object') {
    const [operator] = Object.keys(node);
    if (operator !== undefined) found.add(operator);
    Object.values(node).forEach((value) => operatorsUsed(value, found));
  }
  return found;
}

const usesRefusedOperator = (rule: unknown) => [...operatorsUsed(rule)].some((name) => name in REFUSED_OPERATORS);

type Outcome = { result: unknown } | { error: string };

function outcome(run: () => unknown): Outcome {
  try {
    // Compared as JSON, where -0 is 0, as the suites are written.
    const result = run();
    return { result: result === undefined ? result : JSON.parse(JSON.stringify(result)) };
  } catch (error) {
    // json-logic-engine throws NaN itself for its "NaN" error type.
    if (typeof error === 'number' && Number.isNaN(error)) return { error: 'NaN' };
    const type = (error as { type?: unknown } | null)?.type;
    return { error: typeof type === 'string' ? type : String(error) };
  }
}

const expected = (c: ConformanceCase): Outcome => (c.error ? { error: c.error.type } : { result: c.result });

const all = loadCases();
const runnable = all.filter((c) => !usesRefusedOperator(c.rule) && !(c.description in KNOWN_DISAGREEMENTS));
const compiledEngine = createRuleEngine();

describe('JSON Logic conformance', () => {
  it('loads every suite and the classic tests', () => {
    expect(all.length).toBe(1138 + 277);
    expect(runnable.length).toBeGreaterThan(1100);
  });

  it('uses only operators we either support or refuse by name, so nothing is skipped silently', () => {
    const operators = new Set(all.flatMap((c) => [...operatorsUsed(c.rule)]));
    const unlisted = [...operators].filter((name) => !AUDIENCE_OPERATORS.has(name) && !(name in REFUSED_OPERATORS));
    expect(unlisted).toEqual([]);
  });

  describe.each(['compiled', 'interpreted'] as const)('%s', (mode) => {
    const run = (c: ConformanceCase) =>
      mode === 'compiled'
        ? outcome(() => (compiledEngine.build(c.rule) as (data: unknown) => unknown)(c.data ?? null))
        : // A fresh engine per case: its execution plans are what interpreted audiences use.
          outcome(() => createRuleEngine().run(c.rule, c.data ?? null));

    it.each(runnable.map((c) => [`${c.source}: ${c.description}`, c] as const))('%s', (_name, c) => {
      expect(run(c)).toEqual(expected(c));
    });

    it.each(Object.keys(KNOWN_DISAGREEMENTS))('still disagrees on "%s" (else drop it from the list)', (description) => {
      const cases = all.filter((c) => c.description === description);
      expect(cases.length).toBeGreaterThan(0);
      for (const c of cases) expect(run(c)).not.toEqual(expected(c));
    });
  });
});
