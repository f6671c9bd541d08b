import type { Core } from '@strapi/strapi';
import type { KoaContext } from '../koa-context';
import { describeCatalogue } from '../core/rules';
import { contentTypeOf, enabledTypes, hasDraftAndPublish, isLocalized, mainFieldOf } from '../enabled-types';
import { settings } from '../settings';
import type { EnabledContentType } from '../../../shared/contracts/settings';

/**
 * What an editor needs to write rules and run the simulator: purposes, catalogue, enabled types,
 * locales and time zone. Behind `read`.
 */
async function catalogueOf(strapi: Core.Strapi) {
  const { config, catalogue } = settings(strapi);
  const contentTypes: EnabledContentType[] = [];
  for (const uid of enabledTypes(strapi)) {
    const contentType = contentTypeOf(strapi, uid)!;
    contentTypes.push({
      uid,
      displayName: contentType.info?.displayName ?? uid,
      kind: contentType.kind,
      localized: isLocalized(contentType),
      draftAndPublish: hasDraftAndPublish(contentType),
      mainField: await mainFieldOf(strapi, uid),
    });
  }
  const i18n = strapi.plugin('i18n');
  const defaultLocale = i18n ? await i18n.service('locales').getDefaultLocale() : null;
  const locales = i18n ? ((await i18n.service('locales').find()) as Array<{ code: string; name: string }>) : [];
  return {
    purposes: config.purposes.map(({ key, title, description }) => ({ key, title, description })),
    attributes: describeCatalogue(catalogue),
    contentTypes,
    locales: locales.map(({ code, name }) => ({ code, name, isDefault: code === defaultLocale })),
    timeZone: config.timeZone,
  };
}

const settingsController = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** GET /catalogue (`read`). */
  async catalogue(ctx: KoaContext) {
    ctx.body = { data: await catalogueOf(strapi) };
  },

  /** GET /settings (`settings`): the catalogue, the policy version and token status. Never a secret. */
  async find(ctx: KoaContext) {
    const { config } = settings(strapi);
    ctx.body = {
      data: {
        ...(await catalogueOf(strapi)),
        policyVersion: config.policyVersion,
        token: {
          secretConfigured: Boolean(config.tokenSecret),
          ttlSeconds: config.tokenTtlSeconds,
          issuers: config.issuers.map((issuer) => issuer.issuer),
        },
      },
    };
  },
});

export default settingsController;
