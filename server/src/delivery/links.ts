import type { Core } from '@strapi/strapi';

type Attribute = { type: string; target?: string; component?: string; components?: string[] };
type Model = { attributes: Record<string, Attribute> };

/**
 * The models from which an entry of an enabled type can be reached, through relations,
 * components and dynamic zones, at any depth. Read once after register.
 */
export function modelsReaching(strapi: Core.Strapi, enabled: ReadonlySet<string>): Set<string> {
  const models = allModels(strapi);
  const reaches = new Set<string>(enabled);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [uid, model] of Object.entries(models)) {
      if (reaches.has(uid)) continue;
      if (Object.values(model.attributes).some((attribute) => targetsOf(attribute).some((target) => reaches.has(target)))) {
        reaches.add(uid);
        changed = true;
      }
    }
  }
  for (const uid of enabled) {
    // An enabled type reaches others only through its own attributes.
    const model = models[uid];
    if (!model || !Object.values(model.attributes).some((attribute) => targetsOf(attribute).some((target) => reaches.has(target)))) {
      reaches.delete(uid);
    }
  }
  return reaches;
}

function allModels(strapi: Core.Strapi): Record<string, Model> {
  return { ...(strapi.contentTypes as unknown as Record<string, Model>), ...(strapi.components as unknown as Record<string, Model>) };
}

function targetsOf(attribute: Attribute): string[] {
  if (attribute.type === 'relation' && attribute.target) return [attribute.target];
  if (attribute.type === 'component' && attribute.component) return [attribute.component];
  if (attribute.type === 'dynamiczone') return attribute.components ?? [];
  return [];
}

/** An attribute through which an entry of an enabled type can be reached. */
export interface Link {
  name: string;
  kind: 'relation' | 'component' | 'dynamiczone';
  /** The related type or component; empty for a dynamic zone (each item names its own). */
  target: string;
}

/** The links of a model. */
export type Links = (uid: string) => readonly Link[];

/**
 * Per model, only the attributes that can lead to an entry of an enabled type: the walks below
 * visit those and skip every scalar, media and unrelated relation. Worked out on first use (the
 * schema is settled after register; `strapi.contentTypes` builds a fresh object on every read).
 */
export function linksOf(strapi: Core.Strapi, enabled: ReadonlySet<string>, reaching: ReadonlySet<string>): Links {
  const byModel = new Map<string, Link[]>();
  let models: Record<string, Model> | undefined;
  const leads = (target: string) => enabled.has(target) || reaching.has(target);
  return (uid) => {
    let links = byModel.get(uid);
    if (links) return links;
    models ??= allModels(strapi);
    links = [];
    for (const [name, attribute] of Object.entries(models[uid]?.attributes ?? {})) {
      if (attribute.type === 'relation' && attribute.target && leads(attribute.target)) links.push({ name, kind: 'relation', target: attribute.target });
      else if (attribute.type === 'component' && attribute.component && reaching.has(attribute.component)) links.push({ name, kind: 'component', target: attribute.component });
      else if (attribute.type === 'dynamiczone' && (attribute.components ?? []).some((component) => reaching.has(component))) links.push({ name, kind: 'dynamiczone', target: '' });
    }
    byModel.set(uid, links);
    return links;
  };
}

/**
 * Calls `visit` with what an entry of `uid` holds through each of its links: the related entry or
 * entries, the component or components, or one dynamic-zone item, with the model it belongs to
 * and the path steps from the entry to it (`on:<component>` for a dynamic zone's item).
 */
export function forEachLinked(
  links: Links,
  uid: string,
  entry: Record<string, unknown>,
  visit: (held: object, model: string, link: Link, steps: readonly string[]) => void
): void {
  for (const link of links(uid)) {
    const held = entry[link.name];
    if (held === null || typeof held !== 'object') continue;
    if (link.kind !== 'dynamiczone') {
      visit(held, link.target, link, [link.name]);
      continue;
    }
    if (!Array.isArray(held)) continue;
    for (const item of held) {
      const component = item?.__component ?? item?.__type;
      if (typeof component === 'string') visit(item, component, link, [link.name, `on:${component}`]);
    }
  }
}
