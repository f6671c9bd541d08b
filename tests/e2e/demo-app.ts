/**
 * The demo app (`playground/scripts/demo.js`, the built plugin and admin) in a child process on
 * a free port with its own SQLite file, for browser tests.
 */
import { spawn, type ChildProcess } from 'child_process';
import fs from 'fs';
import net from 'net';
import path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const PLAYGROUND = path.join(ROOT, 'playground');

export interface DemoApp {
  baseUrl: string;
  /** Everything the app printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
  });
}

/** Starts the demo and resolves once it answers; rejects with its output if it stops first. */
export async function startDemoApp(timeoutMs: number): Promise<DemoApp> {
  const port = await freePort();
  const database = `.tmp/e2e-${process.pid}-${port}.db`;
  const baseUrl = `http://127.0.0.1:${port}`;
  let log = '';
  const env: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: String(port), DEMO_DB: database, DATABASE_CLIENT: 'sqlite' };
  // Settings the integration tests export would point the app elsewhere: the demo is the
  // packaged plugin (dist through the exports map) on its own SQLite file.
  for (const name of ['PERSONALIZATION_PLUGIN_PATH', 'PERSONALIZATION_CONFIG', 'DATABASE_FILENAME', 'NODE_ENV']) delete env[name];
  const child = spawn(process.execPath, [path.join(PLAYGROUND, 'scripts/demo.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (log += chunk));
  child.stderr!.on('data', (chunk) => (log += chunk));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(killer);
    }
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(path.join(PLAYGROUND, database + suffix), { force: true });
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the demo app exited with ${child.exitCode} before it answered:\n${log}`);
    }
    if (log.includes('Personalization demo is running')) {
      try {
        const health = await fetch(`${baseUrl}/_health`);
        if (health.status < 500) return { baseUrl, output: () => log, stop };
      } catch {
        // Not listening yet.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stop();
  throw new Error(`the demo app did not answer within ${timeoutMs} ms:\n${log}`);
}
