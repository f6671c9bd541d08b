import { deliveryState } from './labels';
import type { RequestContext } from './origin';
import { forEachLinked, type Links } from './links';
import type { Personalize } from './personalize';
import type { Row } from './variant-rows';

/** Populate in the database layer's form: `true`, or options with their own nested populate. */
type PopulateOptions = { select?: string[]; populate?: unknown; on?: Record<string, PopulateOptions | true>; count?: boolean };

/** Decides entries reached through populate below `entries`; `populate` gives the database layer's populate, asked for only when a variant is served. */
export type PersonalizeRelated = (ctx: RequestContext, uid: string, entries: Row[], populate: () => unknown) => Promise<void>;

/** A path from the entries handed in to a related entry: attribute names, `on:<component>` for a dynamic zone's. */
type Path = readonly string[];

interface Group {
  uid: string;
  path: Path;
  entries: Row[];
  /** Where each entry sits, to put the served one in its place. */
  slots: Array<{ holder: Record<string | number, unknown>; key: string | number }>;
  locales: Array<string | null>;
}

/**
 * Entries of enabled types reached through populate (relations, components, dynamic zones, at
 * any depth) get the decision, label and content they get when requested directly. The walk
 * follows what the database layer returned, along the attributes that can lead to an enabled type
 * (`links`), so it takes every populate form Strapi accepts; one level at a time, the entries of
 * one type reached the same way are decided together (one query for the variants they serve),
 * then it goes on inside what was served, so populate below a swapped entry applies to the
 * variant's own relations. The populate options of a path (what to
 * read of a served variant's row) are worked out only when a variant is served.
 */
export function relatedEntries(links: Links, enabled: ReadonlySet<string>, personalize: Personalize): PersonalizeRelated {
  return async function personalizeRelated(ctx, uid, entries, populate) {
    let frontier: Array<{ uid: string; entry: Row; path: Path; locale: string | null }> = entries.map((entry) => ({
      uid,
      entry,
      path: [],
      locale: entry.locale ?? null,
    }));
    while (frontier.length > 0) {
      const groups = new Map<string, Group>();
      for (const item of frontier) collect(item.uid, item.entry, item.path, item.locale, groups);
      frontier = [];
      if (groups.size > 0) deliveryState(ctx).nested = true;
      for (const group of groups.values()) {
        const shape = () => {
          const options = optionsAt(populate(), group.path);
          return { select: options.select, populate: options.populate };
        };
        const served = await personalize(ctx, group.uid, group.entries, shape, group.locales[0]);
        served.forEach((entry, position) => {
          const slot = group.slots[position];
          slot.holder[slot.key] = entry;
          frontier.push({ uid: group.uid, entry, path: group.path, locale: entry.locale ?? group.locales[position] });
        });
      }
    }
  };

  function collect(uid: string, entry: Row, path: Path, locale: string | null, groups: Map<string, Group>): void {
    const here = entry.locale ?? locale;
    forEachLinked(links, uid, entry, (held, model, link, steps) => {
      const at = [...path, ...steps];
      if (enabled.has(model)) addToGroup(groups, model, at, held as Row | Row[], entry, link.name, here);
      else forEachEntry(held, (related) => collect(model, related, at, here, groups));
    });
  }
}

/** The database layer's populate options at a path: what Strapi read there, to read a served variant alike. */
function optionsAt(populate: unknown, path: Path): PopulateOptions {
  let options: PopulateOptions = { populate };
  for (const step of path) {
    const level = asObject(options.populate);
    if (step.startsWith('on:')) {
      const fragment = options.on?.[step.slice(3)];
      options = fragment === undefined ? options : fragment === true ? {} : fragment;
      continue;
    }
    const value = level?.[step];
    options = value === undefined || value === true ? {} : value;
  }
  return options;
}

/** The database layer's populate forms (`true`, `'*'`, `['a', 'b.c']`, `{ a: … }`) as one object form; null for "everything, one level". */
function asObject(populate: unknown): Record<string, PopulateOptions | true> | null {
  if (Array.isArray(populate)) {
    const object: Record<string, PopulateOptions | true> = {};
    for (const path of populate) {
      if (typeof path !== 'string') continue;
      const [name, ...rest] = path.split('.');
      if (rest.length === 0) {
        object[name] ??= true;
        continue;
      }
      const current = object[name];
      const options: PopulateOptions = current === true || current === undefined ? {} : current;
      options.populate = [...(Array.isArray(options.populate) ? options.populate : []), rest.join('.')];
      object[name] = options;
    }
    return object;
  }
  return populate !== null && typeof populate === 'object' ? (populate as Record<string, PopulateOptions | true>) : null;
}

function addToGroup(groups: Map<string, Group>, uid: string, path: Path, held: Row | Row[], holder: Row, name: string, locale: string | null): void {
  const key = path.join('/');
  let group = groups.get(key);
  if (!group) groups.set(key, (group = { uid, path, entries: [], slots: [], locales: [] }));
  if (Array.isArray(held)) {
    held.forEach((related, position) => {
      if (related === null || typeof related !== 'object') return;
      group!.entries.push(related);
      group!.slots.push({ holder: held as unknown as Record<number, unknown>, key: position });
      group!.locales.push(related.locale ?? locale);
    });
  } else if ('documentId' in held) {
    group.entries.push(held);
    group.slots.push({ holder: holder as Record<string, unknown>, key: name });
    group.locales.push(held.locale ?? locale);
  }
}

function forEachEntry(held: object, visit: (entry: Row) => void): void {
  if (Array.isArray(held)) {
    for (const item of held) if (item !== null && typeof item === 'object') visit(item);
  } else visit(held as Row);
}
