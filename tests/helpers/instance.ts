import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { DATABASE_CLIENT, dropDatabase, prepareDatabase } from './strapi';

const MAIN = path.resolve(__dirname, 'instance-main.js');
const SOURCE_PLUGIN = path.resolve(__dirname, '../fixtures/plugin-source');
// Generous: on a shared, loaded machine a boot takes a minute or more.
const BOOT_TIMEOUT_MS = 180_000;

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** One Strapi process: real HTTP on its own port, plus a few IPC commands (see instance-main.js). */
export interface Instance {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  request(method: string, path: string, options?: { headers?: Record<string, string>; body?: unknown }): Promise<Response>;
  command<T = any>(name: string, ...args: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

export interface Cluster {
  instances: Instance[];
  /** Environment the instances share: the database they are on. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  count?: number;
  /** Plugin config merged over the playground's, for every instance. */
  config?: Record<string, unknown>;
  /** Per instance, by position: plugin config merged over `config`. */
  configs?: Array<Record<string, unknown>>;
  /** Extra environment for the instances. */
  env?: Record<string, string>;
}

function request(port: number, method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Response> {
  const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: { ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } : {}), ...options.headers },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk) => chunks.push(chunk));
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON: keep the text.
          }
          resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: parsed });
        });
      }
    );
    outgoing.on('error', reject);
    if (body) outgoing.write(body);
    outgoing.end();
  });
}

/** One process; `startCluster` is the usual way in. With `plugin: false` it expects an app without the plugin. */
export async function startInstance(name: string, env: Record<string, string>, { plugin = true }: { plugin?: boolean } = {}): Promise<Instance> {
  const child: ChildProcess = fork(MAIN, [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // A message to a process that has just died fails with EPIPE as an event; `exit` tells the rest.
  child.on('error', () => undefined);
  const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let exited = false;

  const ready = await new Promise<{ port: number; pid: number; plugin: boolean }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${name} did not boot within ${BOOT_TIMEOUT_MS} ms`)), BOOT_TIMEOUT_MS);
    child.on('message', (message: any) => {
      if (message.ready) {
        clearTimeout(timer);
        resolve(message.ready);
      } else if (message.failed) {
        clearTimeout(timer);
        reject(new Error(`instance ${name} failed to boot: ${message.failed}`));
      } else if (message.id && pending.has(message.id)) {
        const { resolve: done, reject: fail } = pending.get(message.id)!;
        pending.delete(message.id);
        if (message.error) fail(new Error(message.error));
        else done(message.result);
      }
    });
    child.once('exit', (code) => {
      exited = true;
      clearTimeout(timer);
      reject(new Error(`instance ${name} exited with ${code} while booting`));
      for (const { reject: fail } of pending.values()) fail(new Error(`instance ${name} exited with ${code}`));
      pending.clear();
    });
  }).catch((error) => {
    if (!exited) child.kill('SIGKILL');
    throw error;
  });
  if (ready.plugin !== plugin) throw new Error(`instance ${name} booted ${plugin ? 'without' : 'with'} the personalization plugin`);

  const instance: Instance = {
    name,
    port: ready.port,
    pid: ready.pid,
    request: (method, path, options) => request(ready.port, method, path, options),
    command(command, ...args) {
      if (exited) return Promise.reject(new Error(`instance ${name} has exited`));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, command, args });
      });
    },
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      try {
        child.send({ id: 0, command: 'stop' });
      } catch {
        child.kill('SIGKILL');
      }
      await gone;
      clearTimeout(timer);
    },
  };
  return instance;
}

/**
 * Several Strapi instances in separate processes on one fresh database (the SQLite file, the
 * PostgreSQL schema or the MySQL database that DATABASE_CLIENT names), like a scaled-out site.
 * The first instance creates the schema; the others start after it, as in a rolling deploy.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  await prepareDatabase();
  const env: Record<string, string> = {
    DATABASE_CLIENT,
    PERSONALIZATION_PLUGIN_PATH: SOURCE_PLUGIN,
    ...options.env,
  };
  for (const name of ['DATABASE_SCHEMA', 'DATABASE_NAME', 'DATABASE_FILENAME']) {
    if (process.env[name]) env[name] = process.env[name]!;
  }
  const instances: Instance[] = [];
  const stop = async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await dropDatabase();
  };
  try {
    for (let position = 0; position < (options.count ?? 2); position += 1) {
      const config = { ...options.config, ...options.configs?.[position] };
      instances.push(await startInstance(String.fromCharCode(65 + position), { ...env, PERSONALIZATION_CONFIG: JSON.stringify(config) }));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { instances, env, stop };
}
