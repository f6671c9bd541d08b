import type { Core, UID } from '@strapi/strapi';
import { InputError } from '../errors';
import { VARIANT_OF, enabledTypes } from '../enabled-types';
import { outsideRequest } from '../internal';
import {
  staleReason,
  unlinkedVariantDocuments,
  type DocumentState,
  type StaleReason,
} from '../core/stale-variants';
import type { DetachedVariant, ReconcileReport, ReconcileRun, RelinkAllResult, UnlinkedDocument } from '../../../shared/contracts/upkeep';
import { relinkDetached, relinkRefusal } from './reconcile-relink';
import type { VariantIndex, VariantRecord } from './variant-index';

export type { DetachedVariant, ReconcileReport, ReconcileRun, UnlinkedDocument };

const VARIANT = 'plugin::personalization.variant';
const DETACHED = 'plugin::personalization.detached-variant';
/** Bound on the `IN (…)` lists sent to the database. */
const CHUNK = 500;

/** What a detached record keeps of the variant record, so that linking it again restores it as it was. */
const KEPT = [
  'name', 'key', 'kind', 'audience', 'segments', 'requiredPurposes', 'priority', 'startsAt', 'endsAt', 'enabled', 'locales',
  'createdAt', 'updatedAt', 'publishedAt',
] as const;

/**
 * Keeps the variant records true to the documents. On every start (and on demand) a record whose
 * document is not a variant of its base any more is moved out of the variants table into the
 * detached records: delivery, the admin and deletion never see it, so nothing is ever done to the
 * ordinary entry it names. An editor can link it again or dismiss it.
 */
const reconcile = ({ strapi }: { strapi: Core.Strapi }) => {
  const index = () => strapi.plugin('personalization').service('variant-index') as VariantIndex;

  async function documentState(uid: string, linked: string[]): Promise<DocumentState> {
    const query = strapi.db.query(uid as UID.Schema);
    const marked = (await query.findMany({
      select: ['documentId', VARIANT_OF],
      where: { [VARIANT_OF]: { $notNull: true } },
    })) as Array<{ documentId: string; variantOf: string }>;
    const variantOf = new Map<string, Set<string>>();
    for (const row of marked) {
      let marks = variantOf.get(row.documentId);
      if (!marks) variantOf.set(row.documentId, (marks = new Set()));
      marks.add(row[VARIANT_OF as 'variantOf']);
    }
    const existing = new Set<string>(variantOf.keys());
    const unknown = [...new Set(linked.filter((documentId) => !existing.has(documentId)))];
    for (let start = 0; start < unknown.length; start += CHUNK) {
      const rows = (await query.findMany({
        select: ['documentId'],
        // States its own condition on variantOf: delivery's hiding leaves the query alone.
        where: { documentId: { $in: unknown.slice(start, start + CHUNK) }, [VARIANT_OF]: null },
      })) as Array<{ documentId: string }>;
      rows.forEach((row) => existing.add(row.documentId));
    }
    return { existing, variantOf };
  }

  async function detach(record: VariantRecord, reason: StaleReason): Promise<DetachedVariant | null> {
    return strapi.db.transaction(async () => {
      // Another instance starting at the same time may have moved it already.
      const removed = await strapi.db.query(VARIANT).delete({ where: { id: record.id } });
      if (!removed) return null;
      const kept: Record<string, unknown> = { documentId: record.documentId };
      for (const field of KEPT) kept[field] = (record as unknown as Record<string, unknown>)[field] ?? null;
      return strapi.db.query(DETACHED).create({
        data: {
          contentType: record.contentType,
          baseDocumentId: record.baseDocumentId,
          variantDocumentId: record.variantDocumentId,
          key: record.key,
          name: record.name,
          reason,
          detachedAt: new Date(),
          record: kept,
        },
      }) as Promise<DetachedVariant>;
    });
  }

  async function report(): Promise<ReconcileReport> {
    return outsideRequest(strapi, async () => {
      const detached = (await strapi.db.query(DETACHED).findMany({ orderBy: [{ id: 'asc' }] })) as DetachedVariant[];
      const records = (await strapi.db.query(VARIANT).findMany({
        select: ['contentType', 'baseDocumentId', 'variantDocumentId'],
      })) as VariantRecord[];
      const unlinkedDocuments: UnlinkedDocument[] = [];
      for (const uid of enabledTypes(strapi)) {
        const ofType = records.filter((record) => record.contentType === uid);
        const documents = await documentState(uid, []);
        for (const documentId of unlinkedVariantDocuments(ofType, documents)) unlinkedDocuments.push({ contentType: uid, documentId });
      }
      return { detached, unlinkedDocuments };
    });
  }

  async function findDetached(id: string): Promise<DetachedVariant> {
    const detached = (await strapi.db.query(DETACHED).findOne({ where: { documentId: id } })) as DetachedVariant | null;
    if (!detached) throw new InputError('id', `no detached variant record "${id}"`, 404);
    return detached;
  }

  return {
    /**
     * Moves every stale record aside and logs each one. `announce` tells the other instances to
     * rebuild their index when something moved (not needed at boot, which builds its own next).
     */
    async run({ announce = true }: { announce?: boolean } = {}): Promise<ReconcileRun> {
      const { detachedNow, unlinkedDocuments } = await outsideRequest(strapi, async () => {
        const enabled = new Set(enabledTypes(strapi));
        const records = (await strapi.db.query(VARIANT).findMany({ orderBy: [{ id: 'asc' }] })) as VariantRecord[];
        const moved: DetachedVariant[] = [];
        const unlinked: UnlinkedDocument[] = [];
        // One read of each type's variant rows serves both checks: it can be every row at boot.
        for (const uid of new Set([...records.map((record) => record.contentType), ...enabled])) {
          const ofType = records.filter((record) => record.contentType === uid);
          const documents = enabled.has(uid) ? await documentState(uid, ofType.map((record) => record.variantDocumentId)) : undefined;
          const kept = ofType.filter((record) => !staleReason(record, enabled, documents));
          for (const record of ofType) {
            const reason = staleReason(record, enabled, documents);
            if (!reason) continue;
            const detached = await detach(record, reason);
            if (detached) moved.push(detached);
          }
          if (documents) {
            for (const documentId of unlinkedVariantDocuments(kept, documents)) unlinked.push({ contentType: uid, documentId });
          }
        }
        return { detachedNow: moved, unlinkedDocuments: unlinked };
      });
      for (const detached of detachedNow) {
        strapi.log.warn(
          `[personalization] variant record "${detached.key}" (${detached.contentType}, base ${detached.baseDocumentId}) ` +
            `set aside: its entry ${detached.variantDocumentId} is not a variant any more (${detached.reason}). ` +
            'The entry was left as it is; GET /personalization/reconcile lists it, POST …/detached/:id/relink links it again.'
        );
      }
      if (unlinkedDocuments.length > 0) {
        strapi.log.warn(
          `[personalization] ${unlinkedDocuments.length} entr${unlinkedDocuments.length === 1 ? 'y is' : 'ies are'} ` +
            'marked as variants but linked by no variant record, so the content API hides them; ' +
            'GET /personalization/reconcile lists them, POST …/unlinked/:contentType/:documentId/release makes one an ordinary entry.'
        );
      }
      if (detachedNow.length > 0 && announce) await index().rebuild();
      const detached = (await outsideRequest(strapi, () =>
        strapi.db.query(DETACHED).findMany({ orderBy: [{ id: 'asc' }] })
      )) as DetachedVariant[];
      return { detached, unlinkedDocuments, detachedNow };
    },

    report,

    /** Links a detached record's entry to its base again: the entry becomes a hidden variant. */
    async relink(id: string): Promise<VariantRecord> {
      const record = await outsideRequest(strapi, async () => relinkDetached(strapi, await findDetached(id)));
      await index().rebuild();
      return record;
    },

    /** Links every detached record that can be, and says why the others cannot. */
    async relinkAll(): Promise<RelinkAllResult> {
      const result = await outsideRequest(strapi, async () => {
        const relinked: VariantRecord[] = [];
        const refused: Array<{ id: string; key: string; reason: string }> = [];
        for (const detached of (await strapi.db.query(DETACHED).findMany({ orderBy: [{ id: 'asc' }] })) as DetachedVariant[]) {
          const refusal = await relinkRefusal(strapi, detached);
          if (refusal) refused.push({ id: detached.documentId, key: detached.key, reason: refusal });
          else relinked.push(await relinkDetached(strapi, detached));
        }
        return { relinked, refused };
      });
      if (result.relinked.length > 0) await index().rebuild();
      return result;
    },

    /** Forgets a detached record; its entry stays an ordinary entry. */
    async dismiss(id: string): Promise<DetachedVariant> {
      return outsideRequest(strapi, async () => {
        const detached = await findDetached(id);
        await strapi.db.query(DETACHED).delete({ where: { id: detached.id } });
        return detached;
      });
    },

    /** Makes an entry that is marked as a variant but linked by no record an ordinary entry again. */
    async release(uid: string, documentId: string): Promise<UnlinkedDocument> {
      await outsideRequest(strapi, async () => {
        const unlinked = (await report()).unlinkedDocuments.some(
          (entry) => entry.contentType === uid && entry.documentId === documentId
        );
        if (!unlinked) throw new InputError('documentId', `"${documentId}" is not an unlinked variant entry of ${uid}`, 404);
        await strapi.db.query(uid as UID.Schema).updateMany({ where: { documentId }, data: { [VARIANT_OF]: null } });
      });
      await index().rebuild();
      return { contentType: uid, documentId };
    },
  };
};

export type ReconcileService = ReturnType<typeof reconcile>;
export default reconcile;
