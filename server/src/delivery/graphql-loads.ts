import type { Core } from '@strapi/strapi';
import { VARIANT_OF } from '../enabled-types';
import type { RequestOrigin } from './origin';
import { VARIANT_ROW, type Personalize } from './personalize';
import type { PersonalizeRelated } from './related-entries';
import type { Row } from './variant-rows';

type LoadOptions = { select?: string[]; populate?: unknown; count?: boolean } | undefined;
type EntityManager = {
  load(uid: string, entity: Row, field: string | string[], options?: LoadOptions): Promise<unknown>;
  findOne(uid: string, params: object): Promise<Row | null>;
};

/**
 * GraphQL resolves nested fields (relations, components, dynamic zones) with the entity
 * manager's `load`, one parent at a time, outside the document service. On the content API:
 * - a served entry's fields are loaded from its variant row, not from the base it stands in for;
 * - related entries of enabled types are decided as when requested directly.
 */
export function personalizeLoads(
  strapi: Core.Strapi,
  enabled: ReadonlySet<string>,
  reaching: ReadonlySet<string>,
  origin: () => RequestOrigin | null,
  personalize: Personalize,
  personalizeRelated: PersonalizeRelated
): void {
  const entityManager = strapi.db.entityManager as unknown as EntityManager;
  const load = entityManager.load;

  entityManager.load = async function (this: EntityManager, uid, entity, field, options) {
    const from = origin();
    if (from?.api !== 'content' || typeof field !== 'string') return load.call(this, uid, entity, field, options);
    const variantRow = entity?.[VARIANT_ROW] as number | undefined;
    const result = variantRow === undefined ? await load.call(this, uid, entity, field, options) : await loadFromRow(this, uid, variantRow, field, options);
    if (result === null || typeof result !== 'object' || options?.count) return result;

    const target = (strapi.db.metadata.get(uid as any).attributes[field] as { target?: string } | undefined)?.target;
    if (!target || (!enabled.has(target) && !reaching.has(target))) return result;
    const entries = (Array.isArray(result) ? result : [result]) as Row[];
    const served = enabled.has(target)
      ? await personalize(from.ctx, target, entries, () => ({ select: options?.select, populate: options?.populate }), (entity?.locale as string | undefined) ?? null)
      : entries;
    if (options?.populate && reaching.has(target)) await personalizeRelated(from.ctx, target, served, () => options.populate);
    return Array.isArray(result) ? served : served[0];
  };
}

/** `load`, from the variant row a served entry came from (which the content API otherwise hides). */
async function loadFromRow(entityManager: EntityManager, uid: string, id: number, field: string, options: LoadOptions): Promise<unknown> {
  const entry = await entityManager.findOne(uid, {
    select: ['id'],
    where: { id, [VARIANT_OF]: { $notNull: true } },
    populate: { [field]: options ?? true },
  });
  return entry ? entry[field] : null;
}
