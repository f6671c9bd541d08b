import { createHash } from 'node:crypto';
import type { KoaContext } from '../koa-context';
import type { Core } from '@strapi/strapi';
import { frozenLabelOf, labelOf, NO_VARIANTS, type BaseVariants, type Decision, type DecisionRequest, type Label } from '../core/decision';
import { CONSENT_HEADERS } from '../services/consent';
import { servedLine } from '../services/served-counts';
import { forEachLinked, type Links } from './links';
import type { RequestContext } from './origin';
import { servedCounter } from './served';

/**
 * Where an entry's label rides until the response is written. The content API's output sanitizer
 * walks every key of every entry several times; a symbol key is copied along but not walked, and
 * becomes `personalization` at the end of that sanitizer (or, for output that skips it, when the
 * response is settled). GraphQL reads it in its field resolver.
 */
export const LABEL = Symbol('personalization label');

export const LABEL_NO_VARIANTS: Label = Object.freeze(labelOf(NO_VARIANTS));

/** What one response's decisions add up to, kept on the Koa state until the response is settled. */
export interface DeliveryState {
  now: number;
  /** One line per labelled entry whose label depends on the request: what the key is made of. */
  decisions: Set<string>;
  /** Content depends on a granted purpose: never stored by a shared cache. */
  personal: boolean;
  /** Some label sits below the top level of an entry. */
  nested: boolean;
  /** The content API's output sanitizer has turned the labels into keys already. */
  exposed: boolean;
  /** Entries of bases that have variants, and what each was served as: for served counts (delivery/served.ts). */
  served: Set<string>;
  /** What the decisions are made from, one per locale, as of `now` (delivery/personalize.ts); made on first use. */
  requests: Map<string, DecisionRequest> | undefined;
}

export function deliveryState(ctx: RequestContext): DeliveryState {
  let state = ctx.state.personalizationDelivery as DeliveryState | undefined;
  if (!state) {
    state = { now: Date.now(), decisions: new Set(), personal: false, nested: false, exposed: false, served: new Set(), requests: undefined };
    ctx.state.personalizationDelivery = state;
  }
  return state;
}

/**
 * Labels one entry and records its decision for the response's headers. `base` is the entry's
 * live variants in the index: the lines an entry adds are kept with them, so a page asked for
 * again adds the same strings instead of building them anew.
 */
export function label(state: DeliveryState, uid: string, entry: Record<string | symbol, any>, decision: Decision, base?: BaseVariants): void {
  if (decision === NO_VARIANTS) {
    entry[LABEL] = LABEL_NO_VARIANTS;
    return;
  }
  const entryLabel = frozenLabelOf(decision);
  entry[LABEL] = entryLabel;
  const lines = linesOf(uid, entry.documentId, entry.locale ?? '', decision, entryLabel, base);
  state.served.add(lines.served);
  state.decisions.add(lines.decision);
  // An experiment arm depends on the measurement purpose and the visitor's subject.
  if (decision.experiment || (decision.variant && decision.variant.requiredPurposes.length > 0)) state.personal = true;
}

/** What one labelled entry adds to its response: its served-count line and its line of the key. */
interface EntryLines {
  uid: string;
  documentId: string;
  served: string;
  decision: string;
}

/**
 * Lines by decision and locale, kept on the base's live variants. Decisions other than an
 * experiment's are shared objects (core/decision.ts), so this holds a few lines per base entry and
 * locale; they go with the base's variants when the index replaces them.
 */
const LINES = Symbol('personalization lines');
type WithLines = BaseVariants & { [LINES]?: Map<Decision, Map<string, EntryLines>> };

function linesOf(uid: string, documentId: string, locale: string, decision: Decision, entryLabel: Label, base?: WithLines): EntryLines {
  // An experiment's decision is made per request: nothing to share.
  if (!base || decision.experiment || !Object.isExtensible(base)) return entryLines(uid, documentId, locale, decision, entryLabel);
  let byDecision = base[LINES];
  if (!byDecision) base[LINES] = byDecision = new Map();
  let byLocale = byDecision.get(decision);
  if (!byLocale) byDecision.set(decision, (byLocale = new Map()));
  let lines = byLocale.get(locale);
  if (!lines || lines.documentId !== documentId || lines.uid !== uid) {
    byLocale.set(locale, (lines = entryLines(uid, documentId, locale, decision, entryLabel)));
  }
  return lines;
}

function entryLines(uid: string, documentId: string, locale: string, decision: Decision, entryLabel: Label): EntryLines {
  const arm = decision.experiment ? `:${decision.experiment.key}/${decision.experiment.arm}` : '';
  return {
    uid,
    documentId,
    served: servedLine(uid, documentId, entryLabel.variant),
    decision: `${uid}:${documentId}:${locale}=${entryLabel.variant ?? ''}:${entryLabel.kind}:${entryLabel.reason}${arm}`,
  };
}

const NOTHING_DECIDED_KEY = createHash('sha256').digest('base64url').slice(0, 22);

/**
 * Headers of a response that holds entries of enabled types, set once it is complete (GraphQL's
 * server writes its own Cache-Control after the resolvers ran):
 * - `Vary` on the consent headers;
 * - `X-Personalization-Key`: a hash of every label that depends on the request, nested ones
 *   included, so equal keys on one URL mean identical bodies;
 * - `Cache-Control: private, no-store` when content depends on a granted purpose.
 */
export function settleHeaders(strapi: Core.Strapi, links: Links): void {
  const countServed = servedCounter(strapi);
  strapi.server.use(async (ctx: KoaContext, next: () => Promise<void>) => {
    await next();
    const state = ctx.state.personalizationDelivery as DeliveryState | undefined;
    if (!state) return;
    ctx.vary(CONSENT_HEADERS);
    ctx.set('X-Personalization-Key', keyOf(state));
    if (state.personal) ctx.set('Cache-Control', 'private, no-store');
    if (!state.exposed) exposeLabels(ctx.body, state.nested);
    await countServed(ctx, state.served, state.now);
  });
  // Registered output sanitizers run after Strapi's own, one top-level entry at a time (Strapi
  // types them as curried lodash functions; its pipe takes plain ones).
  strapi.sanitizers.add('content-api.output', ((schema: { uid?: string } | undefined) => (entry: unknown) => {
    const ctx = strapi.requestContext.get() as RequestContext | undefined;
    const state = ctx?.state.personalizationDelivery as DeliveryState | undefined;
    if (!state) return entry;
    state.exposed = true;
    if (!state.nested) return expose(entry, false);
    // Labels below the top level sit only where an enabled type can be reached: walk those attributes alone.
    return schema?.uid === undefined ? expose(entry, true) : exposeAlong(entry, schema.uid, links);
  }) as never);
}

/**
 * Keys already worked out, by the response's lines in the order its entries were labelled: a page
 * asked for again in the same way gets its key without sorting and hashing. The lines name
 * entries and decisions, nothing that identifies a visitor; the map is emptied when the lines it
 * holds reach `KEYS_KEPT_CHARS`.
 */
const keysByLines = new Map<string, string>();
const KEYS_KEPT_CHARS = 2_000_000;
let keptChars = 0;

function keyOf(state: DeliveryState): string {
  if (state.decisions.size === 0) return NOTHING_DECIDED_KEY;
  const lines = [...state.decisions];
  const asLabelled = lines.join('\n');
  let key = keysByLines.get(asLabelled);
  if (key === undefined) {
    key = createHash('sha256').update(lines.sort().join('\n')).digest('base64url').slice(0, 22);
    if (keptChars + asLabelled.length > KEYS_KEPT_CHARS) {
      keysByLines.clear();
      keptChars = 0;
    }
    keysByLines.set(asLabelled, key);
    keptChars += asLabelled.length;
  }
  return key;
}

/** Turns label symbols into `personalization` keys: on the entry, or on every object below it. */
function expose<T>(entry: T, deep: boolean): T {
  if (entry === null || typeof entry !== 'object') return entry;
  if (Array.isArray(entry)) {
    if (deep) for (const item of entry) expose(item, true);
    return entry;
  }
  const record = entry as Record<string | symbol, any>;
  const entryLabel = record[LABEL];
  if (entryLabel !== undefined && !('personalization' in record)) record.personalization = entryLabel;
  if (deep) for (const key of Object.keys(record)) expose(record[key], true);
  return entry;
}

/** Turns label symbols into `personalization` keys on the entry and on every entry reached through `links` below it. */
function exposeAlong<T>(entry: T, uid: string, links: Links): T {
  if (entry === null || typeof entry !== 'object') return entry;
  if (Array.isArray(entry)) {
    for (const item of entry) exposeAlong(item, uid, links);
    return entry;
  }
  forEachLinked(links, uid, expose(entry as Record<string, any>, false), (held, model) => exposeAlong(held, model, links));
  return entry;
}

/** Entries a controller returned without the content API's sanitizer: `{ data }`, a list or one entry. */
function exposeLabels(body: unknown, deep: boolean): void {
  if (body === null || typeof body !== 'object') return;
  const data = !Array.isArray(body) && 'data' in body ? (body as { data: unknown }).data : body;
  if (Array.isArray(data)) for (const entry of data) expose(entry, deep);
  else expose(data, deep);
}
