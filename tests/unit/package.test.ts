import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';

/**
 * What `npm pack` puts in the tarball, read from `npm pack --dry-run --json`. With
 * PERSONALIZATION_TEST_BUILT=1 (CI, after `npm run build`) every file the exports map names must
 * be in it; without a build only the map's shape and the `files` list are checked.
 */
const ROOT = path.resolve(__dirname, '../..');
const BUILT = process.env.PERSONALIZATION_TEST_BUILT === '1';
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

function packedFiles(): string[] {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(output)[0].files as Array<{ path: string }>).map((file) => file.path);
}

/** Every file an `exports` entry points at, by condition (`types`, `import`, …). */
function exportTargets(): Array<{ entry: string; condition: string; target: string }> {
  const targets: Array<{ entry: string; condition: string; target: string }> = [];
  for (const [entry, value] of Object.entries(pkg.exports as Record<string, unknown>)) {
    if (typeof value === 'string') targets.push({ entry, condition: 'default', target: value });
    else for (const [condition, target] of Object.entries(value as Record<string, string>)) targets.push({ entry, condition, target });
  }
  return targets;
}

describe('the npm package', () => {
  const files = packedFiles();

  it('holds the MIT LICENSE that package.json declares', () => {
    expect(pkg.license).toBe('MIT');
    expect(files).toContain('LICENSE');
    expect(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('holds the README, package.json and the root strapi-server.js', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'package.json', 'strapi-server.js']));
  });

  it('holds nothing but the files list: no sources, tests, playground or dependencies', () => {
    const allowed = ['LICENSE', 'README.md', 'package.json', ...pkg.files];
    const stray = files.filter((file) => !allowed.some((entry: string) => file === entry || file.startsWith(`${entry}/`)));
    expect(stray).toEqual([]);
    expect(files.filter((file) => /^(tests|playground|bench|node_modules|server\/src|admin\/src)\//.test(file))).toEqual([]);
  });

  it('declares the Strapi plugin entries with types first, as the plugin SDK expects', () => {
    for (const entry of ['./strapi-server', './strapi-admin']) {
      expect(Object.keys(pkg.exports[entry])[0]).toBe('types');
      expect(pkg.exports[entry]).toEqual(
        expect.objectContaining({ import: expect.any(String), require: expect.any(String), default: expect.any(String) })
      );
    }
    expect(pkg.strapi).toMatchObject({ kind: 'plugin', name: 'personalization' });
  });

  it(BUILT ? 'packs every file the exports map points at (built)' : 'lists every export target under a packed folder', () => {
    // `source` points at the TypeScript sources for linked development; it is not meant to ship.
    const shipped = exportTargets().filter(({ condition }) => condition !== 'source');
    const packed = ['package.json', ...pkg.files];
    const outside = shipped.filter(({ target }) => !packed.some((entry: string) => target.replace(/^\.\//, '').startsWith(entry)));
    expect(outside).toEqual([]);
    if (BUILT) {
      const missing = shipped.map(({ target }) => target.replace(/^\.\//, '')).filter((target) => !files.includes(target));
      expect(missing).toEqual([]);
    }
  });
});
