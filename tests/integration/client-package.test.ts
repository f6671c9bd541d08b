/**
 * The client as a consumer gets it: built, packed with `npm pack`, installed from the tarball into
 * another folder, then loaded with require, with import, and type-checked from both.
 */
import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const BUDGET = 3 * 1024;

jest.setTimeout(180_000);

describe('strapi-plugin-personalization/client from a packed tarball', () => {
  let consumer: string;
  let buildOutput: string;

  const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: consumer, encoding: 'utf8' });

  beforeAll(() => {
    buildOutput = execFileSync(process.execPath, ['client/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'personalization-consumer-'));
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', consumer], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    // Strapi and React are the plugin's peers, which a frontend does not install.
    execFileSync(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps', '--no-package-lock', `./${tarball}`],
      { cwd: consumer, stdio: 'pipe' }
    );
  });

  afterAll(() => {
    if (consumer) fs.rmSync(consumer, { recursive: true, force: true });
  });

  it('prints its size minified and gzipped, within 3 KB', () => {
    const match = buildOutput.match(/client: (\d+) B min\+gzip/);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThan(500);
    expect(Number(match![1])).toBeLessThanOrEqual(BUDGET);
  });

  it('loads with require', () => {
    const out = node([
      '-e',
      `const client = require('strapi-plugin-personalization/client');
       console.log(typeof client.createClient, JSON.stringify(client.consentHeaders('personalization_token=abc')));`,
    ]);
    expect(out.trim()).toBe('function {"X-Consent-Token":"abc"}');
  });

  it('loads with import', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { createClient, memoryStorage } from 'strapi-plugin-personalization/client';
       const client = createClient({ storage: memoryStorage('abc') });
       console.log(JSON.stringify(await client.headers()));`,
    ]);
    expect(out.trim()).toBe('{"X-Consent-Token":"abc"}');
  });

  it('has no runtime dependencies and uses Web APIs only: the bundle imports nothing and touches no Node global', () => {
    const dir = path.join(consumer, 'node_modules/strapi-plugin-personalization/dist/client');
    const esm = fs.readFileSync(path.join(dir, 'index.mjs'), 'utf8');
    expect(esm).not.toMatch(/^\s*import\s|require\(/m);
    expect(esm).not.toMatch(/\bprocess\b|\bBuffer\b|\bglobal\b|node:|__dirname/);
    expect(fs.readFileSync(path.join(dir, 'index.js'), 'utf8')).not.toMatch(/require\(/);
  });

  it('carries types for ESM and CommonJS consumers', () => {
    fs.writeFileSync(
      path.join(consumer, 'esm.mts'),
      `import { createClient, type ConsentView } from 'strapi-plugin-personalization/client';
       const view: Promise<ConsentView | null> = createClient().current();
       void view;\n`
    );
    fs.writeFileSync(
      path.join(consumer, 'cjs.cts'),
      `import client = require('strapi-plugin-personalization/client');
       const headers: Record<string, string> = client.consentHeaders(null);
       void headers;\n`
    );
    fs.writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'node16', moduleResolution: 'node16', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], types: [] },
        files: ['esm.mts', 'cjs.cts'],
      })
    );
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', consumer], { cwd: consumer, encoding: 'utf8' });
  });
});
