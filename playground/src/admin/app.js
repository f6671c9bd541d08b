/**
 * The demo's admin panel: English and German, so an editor can switch the interface to Deutsch
 * in their profile and read the plugin in German (admin/src/translations/de.json).
 */
export default {
  config: {
    locales: ['de'],
  },
  bootstrap() {},
};
