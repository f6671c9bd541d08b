'use strict';
/**
 * The soak's oracle: what a visitor should be served, from the plugin's own pure functions (the
 * decision and the compiled variant) over the state the admin API reports. Every state a base or
 * a visitor's consent has been in is kept with the time it began and ended, so an answer is right
 * when it matches a state that was current at some moment of the request, allowing the product's
 * one-second bound for a change to reach the other instance.
 */
const { liveVariant, ruleCache } = require('../../server/src/core/live-variant.ts');
const { chooseVariant } = require('../../server/src/core/decision.ts');
const { buildRuleContext } = require('../../server/src/core/rules/index.ts');
const { fullCatalogue } = require('../../server/src/core/catalogue.ts');

/** The product's bound for a committed change to be served by every instance. */
const PROPAGATION_MS = 1_000;
const TIME_ZONE = 'Europe/Berlin';
const CATALOGUE = fullCatalogue({
  interests: { type: 'string[]', source: 'token', purpose: 'personalization' },
  ageGroup: { type: 'string', source: 'token', purpose: 'personalization' },
  country: { type: 'string', source: 'token', purpose: 'personalization' },
  device: { type: 'string', source: 'context', purpose: 'functional' },
  utmCampaign: { type: 'string', source: 'context', purpose: 'marketing' },
});

function oracle() {
  const rules = ruleCache();
  /** Base documentId → [{ from, until, expectFor(consent) }]. */
  const bases = new Map();

  /**
   * A new state of a base: `records` as the admin API lists them, `published` the variant
   * documents published in `en` with their title, `title` the base's. `from` is when the change
   * was asked for (it may commit at any point after), `answered` when its answer came.
   */
  function setBase(documentId, { title, records, published }, from, answered = from) {
    const byKind = { targeted: [], mass: [] };
    for (const record of records) {
      const locales = published.has(record.variantDocumentId) ? new Set(['en']) : new Set();
      byKind[record.kind].push(liveVariant(record, locales, new Map(), rules, CATALOGUE));
    }
    for (const list of Object.values(byKind)) list.sort((a, b) => a.priority - b.priority);
    const variants = records.length > 0 ? byKind : undefined;
    const expectFor = (consent, now) => {
      const decision = chooseVariant(variants, request(consent, now));
      const variant = decision.variant;
      return { variant: variant?.key ?? null, kind: decision.kind, title: variant ? published.get(variant.documentId) : title };
    };
    const history = bases.get(documentId) ?? [];
    const last = history[history.length - 1];
    if (last) last.until = answered;
    history.push({ from, until: undefined, expectFor });
    // States that ended long before any request still under way are of no further use.
    while (history.length > 1 && history[0].until !== undefined && history[0].until < answered - 60_000) history.shift();
    bases.set(documentId, history);
  }

  function request(consent, now) {
    const attributes = consent.valid ? consent.attributes : {};
    return {
      locale: 'en',
      now,
      purposes: new Set(consent.valid ? consent.purposes : []),
      context: buildRuleContext({ now: new Date(now), timeZone: TIME_ZONE, locale: 'en', attributes, catalogue: CATALOGUE }),
      consentReason: consent.reason,
    };
  }

  const current = (history, started, ended) =>
    history.filter((state) => state.from <= ended && (state.until === undefined || state.until + PROPAGATION_MS >= started));

  /**
   * Null when `answer` ({ documentId, title, personalization }) is one a state current during the
   * request allows for one of the visitor's consents then; otherwise what was expected.
   */
  function check(answer, visitor, started, ended) {
    const history = bases.get(answer.documentId);
    if (!history) return { unknownDocument: answer.documentId };
    const label = answer.personalization ?? {};
    const got = { variant: label.variant ?? null, kind: label.kind, title: answer.title };
    const expected = [];
    for (const state of current(history, started, ended)) {
      for (const consent of current(visitor.history, started, ended)) {
        const want = state.expectFor(consent.value, started);
        if (want.variant === got.variant && want.kind === got.kind && want.title === got.title) return null;
        expected.push(want);
      }
    }
    return { documentId: answer.documentId, got, expected };
  }

  return { setBase, check, knows: (documentId) => bases.has(documentId) };
}

/** A visitor whose consent changes over time: none, granted, withdrawn. */
function visitor(name) {
  const history = [];
  return {
    name,
    token: undefined,
    history,
    set(value, from, answered = from) {
      const last = history[history.length - 1];
      if (last) last.until = answered;
      history.push({ from, until: undefined, value });
      while (history.length > 2 && history[0].until < answered - 60_000) history.shift();
    },
  };
}

const NO_TOKEN = { valid: false, reason: 'no-token' };

module.exports = { oracle, visitor, NO_TOKEN, PROPAGATION_MS };
