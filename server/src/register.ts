import type { Core } from '@strapi/strapi';
import { VARIANT_OF, enabledTypes, hasDraftAndPublish, isLocalized } from './enabled-types';
import { registerDelivery } from './delivery';
import { registerGraphql } from './graphql';

/** What register changes of an enabled type's schema: a hidden attribute and an index. */
interface ExtendedSchema {
  collectionName?: string;
  attributes: Record<string, unknown>;
  indexes?: Array<{ name: string; columns: string[] }>;
  options?: unknown;
  pluginOptions?: unknown;
}

const register = ({ strapi }: { strapi: Core.Strapi }) => {
  const enabled = new Set(enabledTypes(strapi));
  for (const uid of enabled) {
    strapi.get('content-types').extend(uid, (contentType: ExtendedSchema) => {
      // Private: never in API output; hidden from editors; shared by all locales of a document.
      contentType.attributes[VARIANT_OF] = {
        type: 'string',
        private: true,
        configurable: false,
        visible: false,
        writable: true,
        pluginOptions: { i18n: { localized: false } },
      };
      // Every content-API read filters on `variant_of IS NULL`: without an index, counting bases
      // scans the whole table. `id` before `published_at` lets `ORDER BY id LIMIT n` read the index.
      const columns = ['variant_of'];
      if (isLocalized(contentType)) columns.push('locale');
      columns.push('id');
      if (hasDraftAndPublish(contentType)) columns.push('published_at');
      contentType.indexes = [
        ...(contentType.indexes ?? []),
        { name: `${contentType.collectionName}_variant_of_idx`.slice(0, 63), columns },
      ];
    });
  }
  registerDelivery(strapi, enabled);
  registerGraphql(strapi, enabled);
};

export default register;
