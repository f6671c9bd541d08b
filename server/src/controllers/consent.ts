import type { Core } from '@strapi/strapi';
import { settings } from '../settings';

const consent = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** What a consent banner needs to ask honestly: purposes and the attributes each unlocks. */
  async purposes(ctx: any) {
    const { config } = settings(strapi);
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = {
      data: config.purposes.map((purpose) => ({
        key: purpose.key,
        title: purpose.title,
        description: purpose.description,
        attributes: Object.entries(config.attributes)
          .filter(([, attribute]) => attribute.purpose === purpose.key)
          .map(([name, attribute]) => ({ name, type: attribute.type, source: attribute.source })),
      })),
    };
  },
});

export default consent;
