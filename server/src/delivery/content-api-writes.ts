import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { VARIANT_OF } from '../enabled-types';

/** Content-API writes that address one document by its documentId. */
const BY_DOCUMENT = new Set(['update', 'delete', 'publish', 'unpublish', 'discardDraft']);

/**
 * What the content API may not do to variants: write the private `variantOf` (a 400 naming it,
 * before anything is written), or reach a variant document by its documentId (a 404, as for any
 * document it cannot see: record and documents stay as they are).
 */
export async function guardContentApiWrite(strapi: Core.Strapi, uid: string, action: string, params: Record<string, any> | undefined): Promise<void> {
  const data = params?.data;
  // Strapi writes other shapes, then fails to re-read the entry outside the request, which ends the process.
  if (data !== undefined && (data === null || typeof data !== 'object' || Array.isArray(data))) {
    throw new errors.ValidationError('data must be an object', {
      errors: [{ path: ['data'], message: 'data must be an object', name: 'ValidationError' }],
    });
  }
  if (data !== undefined && VARIANT_OF in data) {
    throw new errors.ValidationError(`${VARIANT_OF} cannot be written through the content API`, {
      errors: [{ path: ['data', VARIANT_OF], message: `${VARIANT_OF} is managed by the personalization plugin`, name: 'ValidationError' }],
    });
  }
  const documentId = params?.documentId;
  if (!BY_DOCUMENT.has(action) || typeof documentId !== 'string') return;
  // Stating the condition on variantOf makes this the plugin's own read: variant rows stay visible to it.
  const variant = await strapi.db.query(uid as any).findOne({ select: ['id'], where: { documentId, [VARIANT_OF]: { $notNull: true } } });
  if (variant) throw new errors.NotFoundError('Not Found');
}
