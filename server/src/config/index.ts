import { parseConfig } from './schema';

/**
 * Strapi merges `config/plugins.<ext>` → `personalization.config` over `default`, then calls
 * `validator`; a throw stops startup with the message, which names every offending key.
 */
export default {
  default: {},
  validator(config: unknown) {
    parseConfig(config);
  },
};
