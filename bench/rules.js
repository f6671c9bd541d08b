'use strict';
/**
 * Rule evaluation: our compiled audiences against GrowthBook's evalCondition and json-logic-js
 * on the same 50 rules and 10,000 contexts, in one run, plus the decision hot path (a chain of
 * 50 compiled rules for one visitor). Every engine must agree on every rule × context pair
 * before anything is timed. `node bench/rules.js`, or `require('./rules').run()`.
 */
const os = require('node:os');

// The rule module is TypeScript; esbuild-register (shipped with Strapi) loads it as is.
if (!require.extensions['.ts']) require('esbuild-register/dist/node').register();

const { evalCondition } = require('@growthbook/growthbook');
const jsonLogic = require('json-logic-js');
const { TARGETING_OPERATORS, buildRuleContext, compileAudience } = require('../server/src/core/rules');
const { CATALOGUE, makeRules, makeVisitors } = require('./rules-data');

const RULES = 50;
const CONTEXTS = 10_000;
const TIME_ZONE = 'Europe/Berlin';
const ROUNDS = 7;
const HOT_PATH_SAMPLES = 20_000;

// json-logic-js gets our targeting operators, same implementation, so it runs the same rules.
for (const [name, { prepare, test }] of Object.entries(TARGETING_OPERATORS)) {
  jsonLogic.add_operation(name, (...args) => test(...args.map((arg, i) => prepare[i](arg))));
}

function contextFor({ now, locale, attributes }) {
  return buildRuleContext({ now, timeZone: TIME_ZONE, locale, attributes, catalogue: CATALOGUE });
}

function checkAgreement(rules, contexts, engines) {
  let matches = 0;
  for (let r = 0; r < rules.length; r++) {
    for (const context of contexts) {
      const answers = engines.map(([, evaluate]) => evaluate(r, context));
      if (answers.some((answer) => answer !== answers[0])) {
        const detail = engines.map(([name], i) => `${name}=${answers[i]}`).join(' ');
        throw new Error(
          `engines disagree on rule ${r} ${JSON.stringify(rules[r].logic)} ` +
            `for ${JSON.stringify({ ...context })}: ${detail}`
        );
      }
      if (answers[0]) matches++;
    }
  }
  return matches;
}

/**
 * Evaluations per second of each engine over every rule × context pair, the median of ROUNDS
 * runs. Engines take turns within each round, and each round is timed in CPU time, not wall
 * time, so other processes on a busy machine slow them all alike and do not count.
 */
function throughputs(engines, ruleCount, contexts) {
  // One loop function per engine, so no engine runs through call sites another one made generic.
  const loops = engines.map(() => new Function('evaluate', 'contexts', 'ruleCount', LOOP_BODY));
  const rates = engines.map(() => []);
  for (let round = 0; round <= ROUNDS; round++) {
    engines.forEach(([, evaluate], e) => {
      const start = process.cpuUsage();
      loops[e](evaluate, contexts, ruleCount);
      const { user, system } = process.cpuUsage(start);
      if (round > 0) rates[e].push((ruleCount * contexts.length) / ((user + system) / 1e6)); // round 0 warms up
    });
  }
  return Object.fromEntries(engines.map(([name], e) => [name, Math.round(median(rates[e]))]));
}

const LOOP_BODY = `
  let matches = 0;
  for (const context of contexts) for (let r = 0; r < ruleCount; r++) if (evaluate(r, context)) matches++;
  return matches;
`;

/**
 * Per-visitor latency of the decision as delivery makes it: the context built for the request's
 * own clock, then all 50 audiences run (the worst case, where no variant before the last matches).
 */
function hotPath(audiences, visitors, contexts) {
  const chain = [];
  const decision = [];
  let sink = 0;
  for (let i = 0; i < HOT_PATH_SAMPLES * 2; i++) {
    const index = i % visitors.length;
    let start = process.hrtime.bigint();
    for (const audience of audiences) if (audience.evaluate(contexts[index])) sink++;
    const chainNs = Number(process.hrtime.bigint() - start);
    start = process.hrtime.bigint();
    const { locale, attributes } = visitors[index];
    const context = buildRuleContext({ now: new Date(), timeZone: TIME_ZONE, locale, attributes, catalogue: CATALOGUE });
    for (const audience of audiences) if (audience.evaluate(context)) sink++;
    const decisionNs = Number(process.hrtime.bigint() - start);
    if (i >= HOT_PATH_SAMPLES) {
      chain.push(chainNs);
      decision.push(decisionNs);
    }
  }
  if (sink < 0) throw new Error('unreachable');
  return {
    chainP50Us: percentile(chain, 0.5) / 1000,
    chainP99Us: percentile(chain, 0.99) / 1000,
    decisionP50Us: percentile(decision, 0.5) / 1000,
    decisionP99Us: percentile(decision, 0.99) / 1000,
  };
}

function median(values) {
  return percentile(values, 0.5);
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function run() {
  const rules = makeRules(RULES);
  const visitors = makeVisitors(CONTEXTS);
  const contexts = visitors.map(contextFor);
  const compiled = rules.map((rule) => compileAudience(rule.logic, { mode: 'compiled' }));
  const interpreted = rules.map((rule) => compileAudience(rule.logic, { mode: 'interpreted' }));
  const refused = compiled.filter((audience) => audience.problem);
  if (refused.length > 0) throw new Error(`bench rule refused: ${JSON.stringify(refused[0].problem)}`);

  const engines = [
    ['compiled', (r, context) => compiled[r].evaluate(context)],
    ['interpreted', (r, context) => interpreted[r].evaluate(context)],
    ['growthbook', (r, context) => evalCondition(context, rules[r].growthbook)],
    ['json-logic-js', (r, context) => jsonLogic.truthy(jsonLogic.apply(rules[r].logic, context))],
  ];
  const matches = checkAgreement(rules, contexts, engines);

  const opsPerSecond = throughputs(engines, rules.length, contexts);
  const latency = hotPath(compiled, visitors, contexts);

  const vsGrowthBook = opsPerSecond.compiled / opsPerSecond.growthbook;
  const vsJsonLogicJs = opsPerSecond.compiled / opsPerSecond['json-logic-js'];
  return {
    // Timings on a shared machine are only as good as its idleness; this says how idle it was.
    machine: { cpus: os.cpus().length, loadAverage1m: round(os.loadavg()[0], 2) },
    rules: rules.length,
    contexts: contexts.length,
    pairsChecked: rules.length * contexts.length,
    matchRate: round(matches / (rules.length * contexts.length), 3),
    opsPerSecond,
    ratios: { vsGrowthBook: round(vsGrowthBook, 1), vsJsonLogicJs: round(vsJsonLogicJs, 1) },
    hotPath: Object.fromEntries(Object.entries(latency).map(([key, value]) => [key, round(value, 2)])),
    targets: {
      evaluationAtLeast10xGrowthBook: vsGrowthBook >= 10,
      evaluationAtLeast10xJsonLogicJs: vsJsonLogicJs >= 10,
      hotPathP50AtMost5Us: latency.decisionP50Us <= 5,
    },
  };
}

function round(value, digits) {
  return Number(value.toFixed(digits));
}

function report(result) {
  const lines = [
    `Rule evaluation: ${result.rules} rules × ${result.contexts} contexts, all engines agree on ` +
      `${result.pairsChecked} pairs (${Math.round(result.matchRate * 100)}% match)`,
    ...Object.entries(result.opsPerSecond).map(
      ([name, ops]) => `  ${name.padEnd(14)} ${(ops / 1e6).toFixed(2).padStart(8)} M evaluations/s`
    ),
    `  compiled vs GrowthBook evalCondition: ${result.ratios.vsGrowthBook}×, vs json-logic-js: ${result.ratios.vsJsonLogicJs}×`,
    `Hot path, 50 compiled rules for one visitor: p50 ${result.hotPath.decisionP50Us} µs with the context built ` +
      `(p99 ${result.hotPath.decisionP99Us}), p50 ${result.hotPath.chainP50Us} µs rules only`,
    ...Object.entries(result.targets).map(([name, met]) => `  ${met ? 'met   ' : 'MISSED'} ${name}`),
    `  (${result.machine.cpus} CPUs, load average ${result.machine.loadAverage1m} at the end of the run)`,
  ];
  return lines.join('\n');
}

module.exports = { run };

if (require.main === module) {
  const result = run();
  console.log(report(result));
  if (!Object.values(result.targets).every(Boolean)) process.exitCode = 1;
}
