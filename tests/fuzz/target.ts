import fs from 'node:fs';
import path from 'node:path';
import { AppCopy } from '../helpers/app-copy';
import { startCluster, startInstance, type Cluster, type Instance } from '../helpers/instance';
import { ADMIN } from '../helpers/strapi';
import type { Fixture } from './fixture';
import type { FuzzRequest, FuzzTarget } from './fuzz';

const FIXTURE = path.resolve(__dirname, 'fixture.ts');
/** INSTANCE_LOG_LEVEL=error shows the stack of each 5xx when replaying a seed. */
const LOG_LEVEL = process.env.INSTANCE_LOG_LEVEL ?? 'fatal';

export interface FuzzSetup {
  target: FuzzTarget;
  stop(): Promise<void>;
}

/**
 * The app under test: one Strapi process (tests/helpers/instance.ts) on a fresh database, with the
 * fuzz fixture, an admin session and a consent limit high enough for the consent endpoint to be
 * fuzzed, not refused. Beside it, the same app without the plugin on its own SQLite file, with the
 * same entries: a request that fails there too is Strapi's own failure, not the plugin's.
 */
export async function startFuzzTarget(): Promise<FuzzSetup> {
  const cluster: Cluster = await startCluster({
    count: 1,
    config: { rateLimit: { windowSeconds: 60, max: 1_000_000, events: { windowSeconds: 60, max: 1_000_000 } } },
    // Strapi logs every error it answers, its own 400s from the body parser included: thousands a run.
    env: { INSTANCE_LOG_LEVEL: LOG_LEVEL },
  });
  let plain: Instance | undefined;
  const copy = new AppCopy('fuzz-plain');
  const stop = async () => {
    await Promise.allSettled([cluster.stop(), plain?.stop()]);
    fs.rmSync(copy.dir, { recursive: true, force: true });
  };
  try {
    const [instance] = cluster.instances;
    const fixture = await instance.command<Fixture>('call', FIXTURE, 'setUp');
    await instance.request('POST', '/admin/register-admin', { body: ADMIN });
    const login = await instance.request('POST', '/admin/login', { body: { email: ADMIN.email, password: ADMIN.password } });
    if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);

    plain = await startInstance(
      'plain',
      { INSTANCE_APP_DIR: copy.dir, PERSONALIZATION_TEST_UNINSTALLED: '1', DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: '.tmp/plain.db', INSTANCE_LOG_LEVEL: LOG_LEVEL },
      { plugin: false }
    );
    const reference = await plain.command<Fixture>('call', FIXTURE, 'setUp', [{ plugin: false }]);
    const pairs: Array<[string, string]> = [
      ...fixture.articles.map((id, i): [string, string] => [id, reference.articles[i]]),
      ...fixture.authors.map((id, i): [string, string] => [id, reference.authors[i]]),
      [fixture.homepage, reference.homepage],
    ];
    const translate = (text: string) => pairs.reduce((result, [from, to]) => result.split(from).join(to), text);

    const target: FuzzTarget = {
      port: instance.port,
      fixture,
      adminJwt: login.body.data.token,
      variantIds: () => instance.command<string[]>('call', FIXTURE, 'variantDocumentIds'),
      reference: {
        port: plain.port,
        translate: (request: FuzzRequest) => ({ ...request, path: translate(request.path), body: request.body === undefined ? undefined : translate(request.body) }),
      },
    };
    return { target, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
