import fs from 'fs';
import path from 'path';
import { parseConfig } from '../../server/src/config/schema';

/** The README blocks that tests/install/readme-e2e.js runs in a fresh app (in `.ci/run`), checked here in every test run. */
const e2e = require('../install/readme-e2e.js');
const README = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const steps: Array<{ phase: string; kind: string; arg: string | null; lang: string; body: string }> = e2e.readmeSteps(README);
const phase = (name: string) => steps.filter((step) => step.phase === name);
const commands = (name: string) => phase(name).filter((step) => step.kind === 'run').flatMap(e2e.commandsOf);
const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8'));

/** A config/plugins.ts as create-strapi-app 5.54.0 writes it, reduced to its shape. */
const GENERATED_PLUGINS_TS = `import type { Core } from '@strapi/strapi';

const config = ({ env }: Core.Config.Shared.ConfigParams): Core.Config.Plugin => ({
  'users-permissions': {
    config: { jwtManagement: 'refresh' },
  },
});

export default config;
`;

describe("the README's install section", () => {
  it('installs the packed tarball of this version, and says the package is not published yet', () => {
    expect(e2e.TARBALL_IN_README).toBe(`/path/to/strapi-plugin-personalization-${pkg.version}.tgz`);
    expect(commands('install')[0]).toBe(`npm install ${e2e.TARBALL_IN_README}`);
    expect(README).toContain('The package is **not published to npm yet**');
  });

  it('generates the token secret into .env before anything reads it', () => {
    expect(commands('install')[1]).toMatch(/^echo "PERSONALIZATION_TOKEN_SECRET=\$\(node -e .*randomBytes\(32\).*\)" >> \.env$/);
  });

  it('puts a config entry the plugin accepts into config/plugins.ts', () => {
    const [config] = phase('install').filter((step) => step.kind === 'config');
    expect(config.arg).toBe('config/plugins.ts');
    const env = (name: string) => (name === 'PERSONALIZATION_TOKEN_SECRET' ? 'x'.repeat(43) : undefined);
    const entries = new Function('env', `return ({\n${config.body}\n});`)(env);
    expect(entries.personalization.enabled).toBe(true);
    expect(parseConfig(entries.personalization.config)).toMatchObject({ tokenSecret: 'x'.repeat(43), timeZone: 'Europe/Berlin' });
  });

  it('puts that entry into the object a generated config/plugins.ts returns, and takes it out again', () => {
    const [config] = phase('install').filter((step) => step.kind === 'config');
    const installed = e2e.insertConfigEntry(GENERATED_PLUGINS_TS, config.body);
    expect(installed).toContain(`=> ({\n${config.body}\n  'users-permissions'`);
    expect(e2e.removeConfigEntry(installed, config.body)).toBe(GENERATED_PLUGINS_TS);
  });

  it('opts a type in through its schema', () => {
    const [schema] = phase('install').filter((step) => step.kind === 'schema');
    expect(e2e.mergeSchemaOptions({ pluginOptions: { i18n: { localized: true } } }, schema.body).pluginOptions).toEqual({
      i18n: { localized: true },
      personalization: { enabled: true },
    });
  });

  it('builds before it starts, and makes one first request', () => {
    expect(commands('install').slice(-2)).toEqual(['npm run build', 'npm run start']);
    expect(commands('first')).toEqual(['curl -s http://localhost:1337/api/articles']);
  });

  it('exports before it uninstalls, then builds and starts without the plugin', () => {
    expect(commands('uninstall')).toEqual([
      expect.stringMatching(/^echo ".*service\('transfer'\)\.exportToFile\('personalization-export\.json'\)" \| npx strapi console$/),
      'npm uninstall strapi-plugin-personalization',
      'npm run build',
      'npm run start',
    ]);
    const warning = README.indexOf('**Warning: on the first start without the plugin, Strapi drops every `personalization_*` table');
    expect(warning).toBeGreaterThan(-1);
    expect(warning).toBeLessThan(README.indexOf('<!-- e2e uninstall:run -->'));
  });

  it('re-installs, builds, imports the export and starts', () => {
    expect(commands('reenable')).toEqual([
      `npm install ${e2e.TARBALL_IN_README}`,
      'npm run build',
      expect.stringMatching(/^echo ".*service\('transfer'\)\.importFromFile\('personalization-export\.json'\)" \| npx strapi console$/),
      'npm run start',
    ]);
  });
});
