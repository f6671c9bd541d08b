import { startStrapi, stopStrapi } from '../helpers/strapi';

describe('plugin config validation at startup', () => {
  it('stops startup with a message naming tokenTtlSeconds when it has the wrong type', async () => {
    await expect(startStrapi({ config: { tokenTtlSeconds: 'abc' } })).rejects.toThrow(/tokenTtlSeconds/);
  });

  it('names the attribute whose purpose is not configured', async () => {
    await expect(
      startStrapi({
        config: { attributes: { shoeSize: { type: 'number', source: 'token', purpose: 'astrology' } } },
      })
    ).rejects.toThrow(/attributes\.shoeSize\.purpose.*astrology/);
  });

  it('refuses an unknown config key by name', async () => {
    await expect(startStrapi({ config: { tokenTTL: 60 } })).rejects.toThrow(/tokenTTL/);
  });

  it('starts with a valid config', async () => {
    const strapi = await startStrapi({ config: { tokenTtlSeconds: 3600, timeZone: 'America/New_York' } });
    try {
      expect(strapi.plugin('personalization')).toBeDefined();
    } finally {
      await stopStrapi(strapi);
    }
  });
});
