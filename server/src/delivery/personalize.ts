import type { Core } from '@strapi/strapi';
import { baseDecision, NO_VARIANTS, type BaseVariants, type DecisionRequest } from '../core/decision';
import type { Consent } from '../core/consent';
import { buildRuleContext } from '../core/rules';
import { uidFields } from '../enabled-types';
import type { ConsentService } from '../services/consent';
import type { ExperimentIndex } from '../services/experiment-index';
import type { VariantIndex } from '../services/variant-index';
import { settings } from '../settings';
import { decideWithExperiment, exposureCounter } from './experiments';
import { deliveryState, label, type DeliveryState } from './labels';
import type { RequestContext } from './origin';
import { variantKeyOf, variantRows, type Row, type RowShape } from './variant-rows';

/** The id of the variant row a served entry came from: its relations, components and media are read from it. */
export const VARIANT_ROW = Symbol('personalization variant row');

/** `shape` is asked for only when a variant is served: what to read of its row. */
export type Personalize = (ctx: RequestContext, uid: string, entries: Row[], shape: () => RowShape, requestLocale?: string | null) => Promise<Row[]>;

/**
 * Swaps entries of one enabled type for the variants chosen for this request, in place of the
 * base, and labels every entry. One query for all the variants served, none when nothing is.
 * Served entries keep the base's id, documentId and uid fields, so links and caches stay stable.
 */
export function personalizer(strapi: Core.Strapi): Personalize {
  // Services exist once the plugin is loaded, which is before any request: looked up on first use.
  let services: { index: VariantIndex; consents: ConsentService; experiments: ExperimentIndex } | undefined;
  const plugin = () => {
    if (!services) {
      const personalization = strapi.plugin('personalization');
      services = {
        index: personalization.service('variant-index') as VariantIndex,
        consents: personalization.service('consent') as ConsentService,
        experiments: personalization.service('experiment-index') as ExperimentIndex,
      };
    }
    return services;
  };
  const index = () => plugin().index;
  const countExposure = exposureCounter(strapi);
  const fetchVariants = variantRows(strapi, () => index().generation());

  return async (ctx, uid, entries, shape, requestLocale = null) => {
    const state = deliveryState(ctx);
    if (entries.length === 0) return entries;
    if (index().isEmpty(uid)) {
      for (const entry of entries) label(state, uid, entry, NO_VARIANTS);
      return entries;
    }
    const { consents, experiments } = plugin();
    const consent = await consents.ofRequest(ctx);
    if (consent.previewAt !== undefined) {
      // An editor's preview at a chosen time: decided as of then (rule contexts rebuilt), never cached.
      state.personal = true;
      if (state.now !== consent.previewAt) {
        state.now = consent.previewAt;
        state.requests = undefined;
      }
    }
    const localeOf = (entry: Row) => (entry.locale === undefined ? requestLocale : entry.locale);
    const live = index();
    const bases: Array<BaseVariants | undefined> = new Array(entries.length);
    // The entries of one call share their locale as a rule: its request is looked up once.
    let request: DecisionRequest | undefined;
    const requestFor = (locale: string) => (request?.locale === locale ? request : (request = decisionRequest(strapi, state, consent, locale)));
    const decisions = entries.map((entry, position) =>
      decideWithExperiment(
        experiments.runningOn(uid, entry.documentId),
        (bases[position] = live.variantsOf(uid, entry.documentId)),
        requestFor(localeOf(entry) ?? ''),
        consent.subject
      )
    );
    const wanted: Array<{ documentId: string; locale: string | null }> = [];
    decisions.forEach(({ variant }, position) => {
      if (variant) wanted.push({ documentId: variant.documentId, locale: localeOf(entries[position]) ?? null });
    });
    if (wanted.length === 0) {
      // Nothing served: every entry keeps its base, labelled with why.
      entries.forEach((entry, position) => {
        countExposure(ctx, decisions[position], consent, state.now);
        label(state, uid, entry, decisions[position], bases[position]);
      });
      return entries;
    }
    const variants = await fetchVariants(uid, shape(), wanted);

    return entries.map((entry, position) => {
      let decision = decisions[position];
      const variant = decision.variant ? variants.get(variantKeyOf(decision.variant.documentId, localeOf(entry))) : undefined;
      if (decision.variant && !variant) {
        // Unpublished between the index rebuild and this query: the base is the safe answer.
        decision = baseDecision('draft');
      }
      countExposure(ctx, decision, consent, state.now);
      if (!variant) {
        label(state, uid, entry, decision, bases[position]);
        return entry;
      }
      const served = swapIn(strapi, uid, entry, variant);
      label(state, uid, served, decision, bases[position]);
      return served;
    });
  };
}

function swapIn(strapi: Core.Strapi, uid: string, base: Row, variant: Row): Row {
  const served: Row = { ...variant, id: base.id, documentId: base.documentId };
  if (!('locale' in base)) delete served.locale;
  for (const field of uidFields(strapi, uid)) {
    if (field in base) served[field] = base[field];
  }
  served[VARIANT_ROW] = variant.id;
  return served;
}

/** What a request's decisions are made from, one per locale (its rule context reads the locale), kept on its state. */
function decisionRequest(strapi: Core.Strapi, state: DeliveryState, consent: Consent, locale: string): DecisionRequest {
  const requests = (state.requests ??= new Map());
  let request = requests.get(locale);
  if (!request) {
    const { now } = state;
    let context: object | undefined;
    request = {
      locale,
      now,
      purposes: consent.purposes,
      consentReason: consent.reason,
      // Built when a rule is first evaluated: without consent, no targeted rule is.
      get context() {
        return (context ??= buildRuleContext({
          now: new Date(now),
          timeZone: settings(strapi).config.timeZone,
          locale: locale === '' ? undefined : locale,
          attributes: consent.attributes,
          // Same layout for every context (absent attributes undefined): faster compiled rules.
          catalogue: settings(strapi).catalogue,
        }));
      },
    };
    requests.set(locale, request);
  }
  return request;
}
