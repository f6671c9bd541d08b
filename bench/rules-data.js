'use strict';
/**
 * Seeded bench data for bench/rules.js: 50 audience rules, each written twice with the same
 * meaning (JSON Logic for us and json-logic-js, a GrowthBook condition for evalCondition), and
 * 10,000 visitor contexts. Templates only use forms whose semantics match exactly, including
 * for absent attributes; rules.js checks every rule × context pair before timing anything.
 */

/** mulberry32: a small deterministic PRNG, so every run times the same rules and contexts. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COUNTRIES = ['DE', 'AT', 'CH', 'FR', 'US', 'GB'];
const INTERESTS = ['sport', 'news', 'travel', 'food', 'tech', 'music'];
const DEVICES = ['mobile-phone', 'desktop', 'tablet', 'smartphone'];
const VERSIONS = ['1.9.0', '1.10.0', '2.0.0', '2.1.3', '3.0.0'];
const LOCALES = ['de', 'en', 'fr'];

/** The attributes the rules read, as the plugin config would declare them. */
const CATALOGUE = Object.freeze({
  country: { type: 'string', source: 'token', purpose: 'personalization' },
  age: { type: 'number', source: 'token', purpose: 'personalization' },
  birthday: { type: 'date', source: 'token', purpose: 'personalization' },
  interests: { type: 'string[]', source: 'token', purpose: 'marketing' },
  newsletter: { type: 'boolean', source: 'token', purpose: 'functional' },
  device: { type: 'string', source: 'context', purpose: 'functional' },
  appVersion: { type: 'string', source: 'context', purpose: 'measurement' },
});

const pick = (rng, items) => items[Math.floor(rng() * items.length)];
const some = (rng, items, max) => items.filter(() => rng() < max / items.length);

/** Each leaf: [JSON Logic, GrowthBook condition]. */
const LEAVES = [
  (rng) => {
    const country = pick(rng, COUNTRIES);
    return [{ '===': [{ var: 'country' }, country] }, { country: { $eq: country } }];
  },
  (rng) => {
    const countries = some(rng, COUNTRIES, 3);
    return [{ in: [{ var: 'country' }, countries] }, { country: { $in: countries } }];
  },
  (rng) => {
    const age = 16 + Math.floor(rng() * 40);
    return [{ '>=': [{ var: 'age' }, age] }, { age: { $gte: age } }];
  },
  (rng) => {
    const low = 18 + Math.floor(rng() * 20);
    const high = low + 5 + Math.floor(rng() * 20);
    return [{ '<=': [low, { var: 'age' }, high] }, { age: { $gte: low, $lte: high } }];
  },
  (rng) => {
    const interest = pick(rng, INTERESTS);
    return [{ contains: [{ var: 'interests' }, interest.toUpperCase()] }, { interests: { $ini: [interest] } }];
  },
  (rng) => {
    const interest = pick(rng, INTERESTS);
    return [{ in: [interest, { var: 'interests' }] }, { interests: { $in: [interest] } }];
  },
  (rng) => {
    const prefix = pick(rng, ['mob', 'desk', 'tab', 'smart']);
    return [{ starts_with: [{ var: 'device' }, prefix] }, { device: { $regexi: `^${prefix}` } }];
  },
  (rng) => {
    const suffix = pick(rng, ['phone', 'top', 'let']);
    return [{ ends_with: [{ var: 'device' }, suffix] }, { device: { $regexi: `${suffix}$` } }];
  },
  (rng) => {
    const version = pick(rng, VERSIONS);
    return [{ semver_gte: [{ var: 'appVersion' }, version] }, { appVersion: { $vgte: version } }];
  },
  (rng) => {
    const start = `2026-${String(1 + Math.floor(rng() * 6)).padStart(2, '0')}-01T00:00:00.000Z`;
    const end = `2026-${String(7 + Math.floor(rng() * 6)).padStart(2, '0')}-01T00:00:00.000Z`;
    return [{ between: [{ var: 'now' }, start, end] }, { now: { $gte: start, $lt: end } }];
  },
  (rng) => {
    const year = 1960 + Math.floor(rng() * 40);
    return [{ before: [{ var: 'birthday' }, `${year}-01-01`] }, { birthday: { $lt: `${year}-01-01` } }];
  },
  (rng) => {
    const days = some(rng, [0, 1, 2, 3, 4, 5, 6], 3);
    return [{ in: [{ var: 'weekday' }, days] }, { weekday: { $in: days } }];
  },
  (rng) => {
    const from = Math.floor(rng() * 12);
    const to = from + 4 + Math.floor(rng() * 8);
    return [{ '<=': [from, { var: 'hour' }, to] }, { hour: { $gte: from, $lte: to } }];
  },
  (rng) => {
    const locale = pick(rng, LOCALES);
    return [{ '===': [{ var: 'locale' }, locale] }, { locale: { $eq: locale } }];
  },
  () => [{ '===': [{ var: 'newsletter' }, true] }, { newsletter: { $eq: true } }],
  (rng) => {
    const name = pick(rng, ['country', 'age', 'interests', 'appVersion']);
    return [{ '!': { missing: [name] } }, { [name]: { $exists: true } }];
  },
];

function leaf(rng) {
  const [logic, condition] = pick(rng, LEAVES)(rng);
  return rng() < 0.2 ? [{ '!': logic }, { $not: condition }] : [logic, condition];
}

function makeRules(count, seed = 2026) {
  const rng = random(seed);
  const rules = [];
  for (let i = 0; i < count; i++) {
    const leaves = Array.from({ length: 2 + Math.floor(rng() * 3) }, () => leaf(rng));
    const any = rng() < 0.35;
    rules.push({
      logic: { [any ? 'or' : 'and']: leaves.map(([logic]) => logic) },
      growthbook: { [any ? '$or' : '$and']: leaves.map(([, condition]) => condition) },
    });
  }
  return rules;
}

/** Raw attributes as consent leaves them: each personal one may be absent. */
function makeVisitors(count, seed = 7) {
  const rng = random(seed);
  const start = Date.UTC(2026, 0, 1);
  const year = 365 * 24 * 3600 * 1000;
  const maybe = (value) => (rng() < 0.8 ? value : undefined);
  return Array.from({ length: count }, () => {
    const attributes = {
      country: maybe(pick(rng, COUNTRIES)),
      age: maybe(14 + Math.floor(rng() * 60)),
      interests: maybe(some(rng, INTERESTS, 2)),
      device: maybe(pick(rng, DEVICES)),
      appVersion: maybe(pick(rng, VERSIONS)),
      newsletter: maybe(rng() < 0.5),
      birthday: maybe(`${1950 + Math.floor(rng() * 55)}-0${1 + Math.floor(rng() * 9)}-15`),
    };
    for (const name of Object.keys(attributes)) if (attributes[name] === undefined) delete attributes[name];
    return { now: new Date(start + Math.floor(rng() * year)), locale: pick(rng, LOCALES), attributes };
  });
}

module.exports = { CATALOGUE, makeRules, makeVisitors };
