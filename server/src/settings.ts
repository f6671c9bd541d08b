import type { Core } from '@strapi/strapi';
import { parseConfig, type PluginConfig } from './config/schema';
import { fullCatalogue, type Catalogue } from './core/catalogue';

export interface Settings {
  config: PluginConfig;
  catalogue: Catalogue;
}

const cache = new WeakMap<object, Settings>();

/** The parsed plugin config and full attribute catalogue, parsed once per Strapi instance. */
export function settings(strapi: Core.Strapi): Settings {
  let current = cache.get(strapi);
  if (!current) {
    const config = parseConfig(strapi.config.get('plugin::personalization'));
    current = { config, catalogue: fullCatalogue(config.attributes) };
    cache.set(strapi, current);
  }
  return current;
}
