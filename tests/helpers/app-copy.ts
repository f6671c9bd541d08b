import fs from 'fs';
import path from 'path';
import type { Core } from '@strapi/strapi';
import { APP_DIR, DATABASE_CLIENT, dropDatabase, prepareDatabase } from './strapi';

const SOURCE_PLUGIN = path.resolve(__dirname, '../fixtures/plugin-source');
const COPIES = path.resolve(__dirname, '../.apps');

/**
 * A private copy of the playground app whose schemas and plugin list a test may change between
 * restarts on the same database, as a developer does when opting a type out or uninstalling the
 * plugin. It lives inside the repository so that the app resolves the repository's node_modules.
 */
export class AppCopy {
  readonly dir: string;
  private strapi: Core.Strapi | undefined;

  constructor(name: string) {
    this.dir = path.join(COPIES, `${name}-${process.env.JEST_WORKER_ID ?? '0'}-${process.pid}`);
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.mkdirSync(this.dir, { recursive: true });
    for (const entry of ['config', 'src', 'package.json']) {
      fs.cpSync(path.join(APP_DIR, entry), path.join(this.dir, entry), { recursive: true });
    }
    fs.mkdirSync(path.join(this.dir, 'public/uploads'), { recursive: true });
    // A name of its own: jest's module map refuses two package.json files with the same name.
    const pkg = JSON.parse(fs.readFileSync(path.join(this.dir, 'package.json'), 'utf8'));
    fs.writeFileSync(path.join(this.dir, 'package.json'), JSON.stringify({ ...pkg, name: path.basename(this.dir) }, null, 2));
    // The playground does not list the plugin as a dependency: without its config entry it is gone, as after `npm uninstall`.
    fs.renameSync(path.join(this.dir, 'config/plugins.js'), path.join(this.dir, 'plugins-installed.js'));
    fs.writeFileSync(
      path.join(this.dir, 'config/plugins.js'),
      "'use strict';\nconst installed = require('../plugins-installed.js');\n" +
        'module.exports = (args) => {\n  const { personalization, ...others } = installed(args);\n' +
        "  return process.env.PERSONALIZATION_TEST_UNINSTALLED === '1' ? others : { personalization, ...others };\n};\n"
    );
    fs.mkdirSync(path.join(this.dir, '.tmp'), { recursive: true });
  }

  /** Opts a content type of the copy (`article`) in or out of personalization, in its schema file. */
  setPersonalized(apiName: string, enabled: boolean): void {
    const file = path.join(this.dir, `src/api/${apiName}/content-types/${apiName}/schema.json`);
    const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
    schema.pluginOptions = { ...schema.pluginOptions };
    if (enabled) schema.pluginOptions.personalization = { enabled: true };
    else delete schema.pluginOptions.personalization;
    fs.writeFileSync(file, JSON.stringify(schema, null, 2));
  }

  /**
   * Installs (true) or removes (false) the plugin: its entry in the copy's `config/plugins.js`.
   * Strapi requires config files once per process, so the file reads a switch on every load.
   */
  setPluginInstalled(installed: boolean): void {
    process.env.PERSONALIZATION_TEST_UNINSTALLED = installed ? '0' : '1';
  }

  /** Creates this test file's empty database (once, before the first boot). */
  async createDatabase(): Promise<void> {
    await prepareDatabase();
  }

  /** Starts the app on the copy's database; `pluginPath` loads another build of the plugin (an older release). */
  async boot({ config = {}, pluginPath = SOURCE_PLUGIN }: { config?: Record<string, unknown>; pluginPath?: string } = {}): Promise<Core.Strapi> {
    process.env.DATABASE_CLIENT = DATABASE_CLIENT;
    process.env.PERSONALIZATION_CONFIG = JSON.stringify(config);
    process.env.PERSONALIZATION_PLUGIN_PATH = pluginPath;
    const { createStrapi } = require('@strapi/strapi');
    const app: Core.Strapi = createStrapi({ appDir: this.dir, distDir: this.dir, autoReload: false, serveAdminPanel: false });
    app.log.level = 'error';
    this.strapi = app;
    await app.load();
    await app.server.mount();
    return app;
  }

  async stop(): Promise<void> {
    const app = this.strapi;
    this.strapi = undefined;
    if (app) await app.destroy();
  }

  /** Stops the app, drops the database and deletes the copy. */
  async remove(): Promise<void> {
    await this.stop().catch(() => undefined);
    await dropDatabase();
    delete process.env.PERSONALIZATION_TEST_UNINSTALLED;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
