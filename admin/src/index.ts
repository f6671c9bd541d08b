import { TrendUp } from '@strapi/icons';
import { PLUGIN_ID } from './pluginId';
import { PluginIcon } from './components/PluginIcon';
import { PersonalizationPanel } from './components/PersonalizationPanel';
import { addPersonalizedColumn } from './components/PersonalizedListCell';
import { PreviewVisitorControls } from './components/PreviewVisitorControls';
import { VariantBanner } from './components/VariantBanner';
import { PERMISSIONS } from './permissions';
import { getTranslation } from './utils/getTranslation';

type TranslationModule = { default: Record<string, string> };

export default {
  register(app: any) {
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      icon: PluginIcon,
      intlLabel: { id: `${PLUGIN_ID}.plugin.name`, defaultMessage: 'Personalization' },
      permissions: PERMISSIONS.read,
      Component: () => import('./pages/App').then((module) => ({ default: module.App })),
    });
    // Its own entry, so the side panel and the e2e can address an experiment by URL.
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}-experiments`,
      icon: TrendUp,
      intlLabel: { id: getTranslation('experiments.menu'), defaultMessage: 'Experiments' },
      permissions: PERMISSIONS.read,
      Component: () => import('./pages/ExperimentsPage').then((module) => ({ default: module.ExperimentsPage })),
    });
    app.registerPlugin({ id: PLUGIN_ID, name: PLUGIN_ID });
  },

  bootstrap(app: any) {
    app.getPlugin('content-manager')?.apis.addEditViewSidePanel([PersonalizationPanel]);
    // A variant's edit view says which variant it is, under the save and publish buttons.
    app.getPlugin('content-manager')?.injectComponent('editView', 'right-links', {
      name: 'personalization-variant-banner',
      Component: VariantBanner,
    });
    // The list view marks the entries that have variants (variant rows are not listed).
    app.registerHook('Admin/CM/pages/ListView/inject-column-in-table', addPersonalizedColumn);
    // Visitor controls in the header of Strapi's Preview, for the types the app previews.
    app.getPlugin('content-manager')?.injectComponent('preview', 'actions', {
      name: 'personalization-preview-visitor',
      Component: PreviewVisitorControls,
    });

    // The Content-Type Builder's "Advanced settings" tab gets the opt-in, like i18n's "Localization".
    app.getPlugin('content-type-builder')?.apis.forms.extendContentType({
      form: {
        advanced() {
          return [
            {
              name: 'pluginOptions.personalization.enabled',
              type: 'checkbox',
              intlLabel: { id: getTranslation('ctb.enabled.label'), defaultMessage: 'Enable personalization' },
              description: {
                id: getTranslation('ctb.enabled.description'),
                defaultMessage: 'Editors can create variants of entries, served by audience and consent',
              },
            },
          ];
        },
      },
    });
  },

  async registerTrads({ locales }: { locales: string[] }) {
    return Promise.all(
      locales.map(async (locale) => {
        try {
          const { default: data } = (await import(`./translations/${locale}.json`)) as TranslationModule;
          const prefixed = Object.fromEntries(
            Object.entries(data).map(([key, value]) => [`${PLUGIN_ID}.${key}`, value])
          );
          return { data: prefixed, locale };
        } catch {
          return { data: {}, locale };
        }
      })
    );
  },
};
