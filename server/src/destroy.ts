import type { Core } from '@strapi/strapi';
import { getService } from './get-service';

const destroy = async ({ strapi }: { strapi: Core.Strapi }) => {
  // Buffered experiment and served counts are written while the database is still there.
  await getService(strapi, 'experiment-counts').stop();
  await getService(strapi, 'served-counts').stop();
  await getService(strapi, 'coherence').stop();
  await getService(strapi, 'rate-limits').stop();
};

export default destroy;
