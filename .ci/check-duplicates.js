#!/usr/bin/env node
/**
 * Copy-paste check (`npm run check:duplicates`): jscpd with .jscpd.json (blocks of 6 or more lines
 * and 40 or more tokens in server, admin, client, shared, tests and bench) fails the run when it
 * finds more than MAX_PAIRS duplicated pairs, or any pair with one side in admin/ and the other in
 * server/: what both need belongs in shared/contracts/.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const MAX_PAIRS = 36;
const ROOT = path.resolve(__dirname, '..');

const output = fs.mkdtempSync(path.join(os.tmpdir(), 'jscpd-'));
try {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/jscpd/bin/jscpd'), '--config', '.jscpd.json', '--output', output], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const report = path.join(output, 'jscpd-report.json');
  if (run.status !== 0 || !fs.existsSync(report)) {
    process.stderr.write(`jscpd failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}\n`);
    process.exit(2);
  }
  const { duplicates } = JSON.parse(fs.readFileSync(report, 'utf8'));
  const where = (file) => `${file.name}:${file.start}-${file.end}`;
  const side = (file) => file.name.split('/')[0];
  const crossing = duplicates.filter((pair) => new Set([side(pair.firstFile), side(pair.secondFile)]).size === 2 && [pair.firstFile, pair.secondFile].every((file) => ['admin', 'server'].includes(side(file))));
  for (const pair of duplicates) console.log(`${String(pair.lines).padStart(3)} lines  ${where(pair.firstFile)} ~ ${where(pair.secondFile)}`);
  console.log(`${duplicates.length} duplicated pairs (at most ${MAX_PAIRS}), ${crossing.length} between admin and server (none allowed)`);
  if (duplicates.length > MAX_PAIRS || crossing.length > 0) process.exit(1);
} finally {
  fs.rmSync(output, { recursive: true, force: true });
}
