import type { Core } from '@strapi/strapi';

/** One versioned step of the plugin's tables; see `index.ts` for when each hook runs. */
export interface Migration {
  version: number;
  name: string;
  beforeSync?(strapi: Core.Strapi): Promise<void>;
  afterSync?(strapi: Core.Strapi): Promise<void>;
}
