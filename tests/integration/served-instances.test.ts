import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCluster, type Cluster, type Instance } from '../helpers/instance';
import { ADMIN, DATABASE_CLIENT } from '../helpers/strapi';

const COMMANDS = path.resolve(__dirname, '../helpers/experiment-commands.js');
const ARTICLE = 'api::article.article';
const mode = DATABASE_CLIENT === 'postgres' ? 'postgres' : 'poll';

/** The acceptance bound: counts reach the admin API within 5 s of the requests, with the default flush interval. */
const WITHIN_MS = 5_000;

describe(`served counts of two Strapi processes on one ${DATABASE_CLIENT} database add up`, () => {
  let cluster: Cluster;
  let A: Instance;
  let B: Instance;
  let baseId: string;
  let admin: string;

  beforeAll(async () => {
    cluster = await startCluster({ config: { coherence: { mode } } });
    [A, B] = cluster.instances;
    await A.command('grantPublic', [`${ARTICLE}.find`, `${ARTICLE}.findOne`]);
    ({ baseId } = await A.command('call', COMMANDS, 'setUpMassVariant'));
    await A.request('POST', '/admin/register-admin', { body: ADMIN });
    admin = (await A.request('POST', '/admin/login', { body: { email: ADMIN.email, password: ADMIN.password } })).body.data.token;
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  async function served(instance: Instance): Promise<{ variant: string | null; reason: string }> {
    const response = await instance.request('GET', `/api/articles/${baseId}`);
    expect(response.status).toBe(200);
    return response.body.data.personalization;
  }

  it('reaches the admin API within 5 s of the requests, counted once by whichever instance served', async () => {
    // B learns of the variant through coherence. Until then it serves the base: counted only once it knows the
    // base has a variant (a draft one, say), since entries without variants are not counted.
    const expected = { summer: 0, base: 0 };
    const since = performance.now();
    for (let label = await served(B); label.variant !== 'summer'; label = await served(B)) {
      if (label.reason !== 'no-variants') expected.base += 1;
      if (performance.now() - since > 10_000) throw new Error('B did not learn of the variant within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expected.summer += 1;
    await Promise.all([A.command('takeQueryCounts'), B.command('takeQueryCounts')]);
    for (let i = 0; i < 3; i += 1) expect((await served(A)).variant).toBe('summer');
    for (let i = 0; i < 2; i += 1) expect((await served(B)).variant).toBe('summer');
    expected.summer += 5;
    // Counting writes nothing while a visitor waits, on either instance: the flush runs on its timer.
    const [onA, onB] = await Promise.all([A.command('takeQueryCounts'), B.command('takeQueryCounts')]);
    expect([onA.request, onB.request].every((count: number) => count > 0)).toBe(true);
    expect([onA.writesInRequest, onB.writesInRequest]).toEqual([0, 0]);

    const requestsDone = performance.now();
    let counts: any;
    for (;;) {
      const response = await A.request('GET', `/personalization/served?contentType=${ARTICLE}&documentId=${baseId}`, {
        headers: { Authorization: `Bearer ${admin}` },
      });
      expect(response.status).toBe(200);
      counts = response.body.data;
      if (counts.total === expected.summer + expected.base) break;
      if (performance.now() - requestsDone > WITHIN_MS) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(counts.counts).toEqual([
      { variant: null, served: expected.base, share: expected.base / (expected.summer + expected.base) },
      { variant: 'summer', served: expected.summer, share: expected.summer / (expected.summer + expected.base) },
    ]);
    expect(counts.total).toBe(expected.summer + expected.base);
  });
});
