import type { Core } from '@strapi/strapi';
import { VARIANT_OF, columnsOf } from '../enabled-types';
import type { RequestOrigin } from './origin';

/**
 * Where variant rows are hidden: in Strapi's query builder, which every read of a content type's
 * table goes through.
 *
 * `@strapi/database` builds each SQL read with `createQueryBuilder(uid)`, reached through
 * `db.entityManager.createQueryBuilder`: the entity manager's findOne, findMany, count (and so
 * findPage, load, loadPages and populate), every populate sub-query of `query/helpers/populate/apply`
 * (relations, counts, components, dynamic zones, morphs) and `db.queryBuilder`. Relation filters and
 * relation sorts become joins of the query that names them (`query/helpers/join#createJoin`), each
 * pushed to its builder's `state.joins` before the SQL is written in `getKnexQuery`. So a builder
 * for an enabled type gets `variant_of IS NULL` in its WHERE, and a join onto an enabled type's
 * table gets it in its ON: a variant row can be neither selected, counted, nor matched by a filter.
 *
 * Which reads are hidden:
 * - content API (REST and GraphQL): every read, except the plugin's own reads of variant rows,
 *   which state their own condition on `variantOf` (the content API refuses private attributes in
 *   filters, so only the plugin writes such a condition);
 * - admin panel: joins, populate sub-queries (relation lists and counts, the Media Library's related
 *   entries), and the top-level reads of the Content Manager's list view, relation picker and the
 *   Home page's recent entries. Other
 *   top-level reads (the edit view of a variant, the plugin's own routes, Strapi's reads inside a
 *   write) are marked by a lifecycle and keep seeing variant rows;
 * - no request (application code, cron, the plugin's background work): nothing is hidden.
 */
export function hideVariantRows(strapi: Core.Strapi, enabled: ReadonlySet<string>, reachers: ReadonlySet<string>, origin: () => RequestOrigin | null): void {
  const entityManager = strapi.db.entityManager as unknown as { createQueryBuilder(uid: string): QueryBuilder };
  const createQueryBuilder = entityManager.createQueryBuilder.bind(entityManager);
  // The database's models and connection are settled after register: read on first use.
  let enabledTables: Set<string> | undefined;
  let joinMethod: string | undefined;

  entityManager.createQueryBuilder = (uid: string) => {
    const qb = createQueryBuilder(uid);
    const isEnabled = enabled.has(uid);
    if (!isEnabled && !reachers.has(uid)) return qb;
    const from = origin();
    if (!from) return qb;
    let initialised = false;
    const init = qb.init;
    qb.init = function (this: QueryBuilder, params?: unknown) {
      initialised = true;
      return init.call(this, params);
    };
    const processState = qb.processState;
    qb.processState = function (this: QueryBuilder) {
      const { state } = qb;
      if (state.processed || !READ_TYPES.has(state.type)) return processState.call(this);
      const own = state.where.some(statesVariantOf);
      if (isEnabled && !own && hidesRoot(from, initialised, state.where)) {
        state.where.push({ [VARIANT_OF]: null });
        // The content API drops the private column from every entry, and not reading it costs
        // less than deleting it: an unrestricted select reads every other column instead.
        if (from.api === 'content' && state.type === 'select') state.select = withoutVariantOf(strapi, uid, state.select);
      }
      processState.call(this);
      if (own || state.joins.length === 0) return;
      enabledTables ??= new Set([...enabled].map((enabledUid) => strapi.db.metadata.get(enabledUid).tableName));
      joinMethod ??= installJoinMethod(strapi);
      for (const join of state.joins) {
        if (enabledTables.has(join.referencedTable) && (join.method === undefined || join.method === 'leftJoin')) {
          join.method = joinMethod;
        }
      }
    };
    return qb;
  };

  strapi.db.lifecycles.subscribe({
    models: [...enabled],
    beforeFindMany: markTopLevelRead,
    beforeFindOne: markTopLevelRead,
    beforeCount: markTopLevelRead,
  });

  /** Admin top-level reads see variant rows, but for the list view and the relation picker. */
  function markTopLevelRead(event: { action: string; model: { uid: string }; params: { where?: unknown } }): void {
    const from = origin();
    if (from?.api !== 'admin') return;
    if (event.action !== 'beforeFindOne' && listsEntriesOf(from, event.model.uid)) return;
    const where = event.params.where;
    event.params.where = { ...(typeof where === 'object' && where !== null ? where : {}), [SHOW_VARIANT_ROWS]: true };
  }
}

interface Join {
  referencedTable: string;
  method?: string;
}

interface QueryBuilder {
  state: { type: string; where: unknown[]; joins: Join[]; select: unknown[]; processed: boolean };
  init(params?: unknown): QueryBuilder;
  processState(): void;
}

const READ_TYPES = new Set(['select', 'count', 'max', 'min']);
const SHOW_VARIANT_ROWS = Symbol('personalization.showVariantRows');

function hidesRoot(from: RequestOrigin, initialised: boolean, where: unknown[]): boolean {
  if (from.api === 'content') return true;
  // In the admin panel only reads the lifecycle did not mark: populate sub-queries (which are
  // always initialised from their populate value) and the list view and relation picker.
  return initialised && !where.some((clause) => typeof clause === 'object' && clause !== null && SHOW_VARIANT_ROWS in clause);
}

function statesVariantOf(clause: unknown): boolean {
  return typeof clause === 'object' && clause !== null && VARIANT_OF in clause;
}

/**
 * The Content Manager's list view of a type, its relation picker offering entries of it, and the
 * Home page's "last edited" and "last published" widgets, which list entries of every type: a
 * variant there would read as its base, with the base's title and no label.
 */
function listsEntriesOf(from: RequestOrigin, uid: string): boolean {
  const { method, path } = from.ctx;
  if (method !== 'GET') return false;
  if (path === `/content-manager/collection-types/${uid}` || path === '/content-manager/homepage/recent-documents') return true;
  // `/content-manager/relations/:model/:targetField` lists what may be picked; with an id before
  // the field it lists what is already linked, read through populate (hidden as a sub-query).
  return path.startsWith('/content-manager/relations/') && path.split('/').length === 5;
}

/**
 * `*` becomes the type's own columns without `variant_of`, also beside the columns a populate
 * sub-query adds (its join table's order and key): related entries then carry no `variantOf` for
 * the output sanitizer to walk and delete, as entries at the top level don't.
 */
function withoutVariantOf(strapi: Core.Strapi, uid: string, select: unknown[]): unknown[] {
  const star = select.indexOf('*');
  if (star === -1) return select;
  return [...select.slice(0, star), ...columnsOf(strapi, uid), ...select.slice(star + 1)];
}

/**
 * Strapi writes each join as `knexBuilder[join.method ?? 'leftJoin'](table, on)`. This adds, on
 * the knex builder's prototype, a left join that also requires the joined row not to be a
 * variant: a condition in ON, so a variant becomes "no related row" instead of removing the row
 * it was joined from.
 */
function installJoinMethod(strapi: Core.Strapi): string {
  const name = 'personalizationLeftJoinOfBases';
  const prototype = Object.getPrototypeOf(strapi.db.connection.queryBuilder()) as Record<string, unknown>;
  if (typeof prototype[name] === 'function') return name;
  Object.defineProperty(prototype, name, {
    configurable: true,
    value: function leftJoinOfBases(this: KnexBuilder, table: string, on: (join: KnexJoin) => void) {
      const alias = table.slice(table.lastIndexOf(' as ') + 4);
      return this.leftJoin(table, function (this: KnexJoin) {
        on.call(this, this);
        this.onNull(`${alias}.${VARIANT_COLUMN}`);
      });
    },
  });
  return name;
}

/** The column Strapi names for the hidden `variantOf` attribute. */
const VARIANT_COLUMN = 'variant_of';

interface KnexJoin {
  onNull(column: string): KnexJoin;
}
interface KnexBuilder {
  leftJoin(table: string, on: (this: KnexJoin) => void): KnexBuilder;
}
