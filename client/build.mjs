/**
 * Builds `strapi-plugin-personalization/client` into dist/client: ESM, CommonJS and types, and
 * prints its size minified and gzipped. Fails above the budget.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist/client');
const BUDGET = 3 * 1024;

mkdirSync(OUT, { recursive: true });
const common = { entryPoints: [join(ROOT, 'client/src/index.ts')], bundle: true, target: 'es2020', logLevel: 'warning' };
await build({ ...common, format: 'esm', platform: 'neutral', outfile: join(OUT, 'index.mjs') });
await build({ ...common, format: 'cjs', platform: 'neutral', outfile: join(OUT, 'index.js') });

execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'client/tsconfig.json')], { stdio: 'inherit' });

// What a browser downloads after a bundler minifies and the server compresses it.
const minified = await build({ ...common, format: 'esm', minify: true, write: false });
const size = gzipSync(minified.outputFiles[0].contents, { level: 9 }).length;
console.log(`client: ${size} B min+gzip (budget ${BUDGET} B)`);
if (size > BUDGET) {
  console.error(`client: over the ${BUDGET} B budget`);
  process.exit(1);
}
