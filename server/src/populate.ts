import type { Core } from '@strapi/strapi';
import { VARIANT_OF } from './enabled-types';

interface ModelRelations {
  /** Attribute → target model, for attributes whose target is, or leads to, an enabled type. */
  targets: Map<string, { target: string; hide: boolean }>;
  /** What `populate: '*'` covers on this model. */
  populatable: string[];
}

/** Per model, the populate paths through which variant documents could be reached. */
export type RelationMap = Map<string, ModelRelations>;

const HIDE_VARIANTS = Object.freeze({ [VARIANT_OF]: { $null: true } });
const POPULATABLE = new Set(['relation', 'media', 'component', 'dynamiczone']);

type Attribute = { type: string; target?: string; component?: string };
type Model = { attributes: Record<string, Attribute> };

/** Built once after register: which relations can lead to variant documents. */
export function buildRelationMap(strapi: Core.Strapi, enabled: ReadonlySet<string>): RelationMap {
  const models: Record<string, Model> = { ...(strapi.contentTypes as any), ...(strapi.components as any) };
  const targetOf = (attribute: Attribute) =>
    attribute.type === 'relation' ? attribute.target : attribute.type === 'component' ? attribute.component : undefined;

  const reaches = new Set<string>(enabled);
  for (let changed = true; changed; ) {
    changed = false;
    for (const [uid, model] of Object.entries(models)) {
      if (reaches.has(uid)) continue;
      if (Object.values(model.attributes).some((attribute) => reaches.has(targetOf(attribute) ?? ''))) {
        reaches.add(uid);
        changed = true;
      }
    }
  }

  const map: RelationMap = new Map();
  for (const [uid, model] of Object.entries(models)) {
    const targets = new Map<string, { target: string; hide: boolean }>();
    for (const [name, attribute] of Object.entries(model.attributes)) {
      const target = targetOf(attribute);
      if (target && reaches.has(target)) {
        targets.set(name, { target, hide: attribute.type === 'relation' && enabled.has(target) });
      }
    }
    if (targets.size > 0) {
      const populatable = Object.keys(model.attributes).filter((name) => POPULATABLE.has(model.attributes[name].type));
      map.set(uid, { targets, populatable });
    }
  }
  return map;
}

type PopulateObject = Record<string, any>;

/** Strapi's populate forms ('*', 'a,b.c', ['a'], { a: true }) as one object form. */
function asObject(populate: unknown, model: ModelRelations): PopulateObject | null {
  if (populate === '*' || populate === true) {
    return Object.fromEntries(model.populatable.map((name) => [name, true]));
  }
  const paths = typeof populate === 'string' ? populate.split(',') : Array.isArray(populate) ? populate : null;
  if (paths) {
    const object: PopulateObject = {};
    for (const path of paths) {
      if (typeof path !== 'string') return null;
      let level = object;
      const parts = path.trim().split('.');
      parts.forEach((part, depth) => {
        if (depth === parts.length - 1) {
          if (level[part] === undefined) level[part] = true;
          return;
        }
        const current = level[part];
        const nested = typeof current === 'object' && current ? current : { populate: {} };
        nested.populate = typeof nested.populate === 'object' && nested.populate ? nested.populate : {};
        level[part] = nested;
        level = nested.populate;
      });
    }
    return object;
  }
  return typeof populate === 'object' && populate !== null ? { ...(populate as PopulateObject) } : null;
}

/**
 * Adds `variantOf IS NULL` to every populated relation that targets an enabled type, at any
 * depth, so variant documents never appear as related entries of other documents.
 */
export function hideVariantsInPopulate(uid: string, populate: unknown, relations: RelationMap): unknown {
  const model = relations.get(uid);
  if (!model || populate === undefined || populate === null || populate === false) return populate;
  const object = asObject(populate, model);
  if (!object) return populate;
  for (const [name, { target, hide }] of model.targets) {
    const value = object[name];
    let nested: PopulateObject;
    if (value === true || value === 'true' || value === '*') nested = {};
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) nested = { ...value };
    else continue;
    if (hide) nested.filters = nested.filters ? { $and: [nested.filters, HIDE_VARIANTS] } : HIDE_VARIANTS;
    if (nested.populate !== undefined) nested.populate = hideVariantsInPopulate(target, nested.populate, relations);
    object[name] = nested;
  }
  return object;
}
