import { performance } from 'node:perf_hooks';
import { startCluster, type Cluster, type ClusterOptions, type Instance } from './instance';
import { ADMIN, DATABASE_CLIENT } from './strapi';

const ARTICLE = 'api::article.article';
const CM = `/content-manager/collection-types/${ARTICLE}`;
/** The product's bound: every instance sees a committed change within a second. */
const BOUND_MS = 1_000;
const OUTDOOR = { in: ['outdoor', { var: 'interests' }] };

export interface CoherenceSuite {
  /** What the instances are coherent through, for the test names. */
  through: string;
  cluster: ClusterOptions;
  /**
   * Takes away the notification connection of instance B (or of both): messages published
   * meanwhile are lost to it. Resolves to a function that gives it back.
   */
  loseNotifications?: (cluster: Cluster) => Promise<() => Promise<void>>;
}

/**
 * On one SQLite file, a Strapi transaction that has read and then writes fails at once ("database
 * is locked", a 500) when another process is writing at that moment: SQLite refuses the upgrade
 * rather than risk a deadlock (README "Running several instances"). Served-count flushes are such
 * writes, every two seconds, and these tests publish through the Content Manager all along; they
 * are about coherence, so on SQLite the instances count nothing.
 */
function withoutCountFlushes(cluster: ClusterOptions): ClusterOptions {
  return { ...cluster, config: { ...cluster.config, servedCounts: { enabled: false } } };
}

/** The acceptance tests of "several instances on one database", over real HTTP between processes. */
export function describeCoherence(suite: CoherenceSuite): void {
  describe(`two Strapi processes on one database, coherent through ${suite.through}`, () => {
    let cluster: Cluster;
    let A: Instance;
    let B: Instance;
    let jwt: string;
    let baseId: string;
    let variant: { documentId: string; variantDocumentId: string };

    async function admin(instance: Instance, method: string, path: string, body?: unknown, expected = 200) {
      const response = await instance.request(method, path, { headers: { Authorization: `Bearer ${jwt}` }, body });
      if (response.status !== expected) {
        throw new Error(`${method} ${path} on ${instance.name}: ${response.status} ${JSON.stringify(response.body)}`);
      }
      return response.body;
    }

    async function grantToken(): Promise<string> {
      const response = await A.request('POST', '/api/personalization/consent', {
        body: { purposes: ['personalization'], attributes: { interests: ['outdoor'] } },
      });
      expect(response.status).toBe(201);
      return response.body.data.token;
    }

    /** The label of the base entry as `instance` serves it to a visitor with `token`. */
    async function label(instance: Instance, token: string): Promise<{ variant: string | null; kind: string; reason: string }> {
      const response = await instance.request('GET', `/api/articles/${baseId}`, { headers: { 'X-Consent-Token': token } });
      if (response.status !== 200) throw new Error(`GET on ${instance.name}: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body.data.personalization;
    }

    /**
     * Milliseconds from `since` until `condition` holds, polling; fails after 10 s. Propagation is
     * timed from the answer to the change: the change is committed when the editor sees it done.
     */
    async function timeUntil(since: number, condition: () => Promise<boolean>): Promise<number> {
      while (!(await condition())) {
        if (performance.now() - since > 10_000) throw new Error('the change did not arrive within 10 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return performance.now() - since;
    }

    const serves = (instance: Instance, token: string, key: string | null) => async () =>
      (await label(instance, token)).variant === key;

    /** The variant enabled and published, served by both instances. */
    async function makeLive(token: string): Promise<void> {
      await admin(A, 'PUT', `/personalization/variants/${variant.documentId}`, { enabled: true });
      await admin(A, 'POST', `${CM}/${variant.variantDocumentId}/actions/publish?locale=en`, {});
      const since = performance.now();
      await timeUntil(since, serves(A, token, 'outdoor'));
      await timeUntil(since, serves(B, token, 'outdoor'));
    }

    async function listening(instance: Instance): Promise<boolean> {
      return (await instance.command('status')).listening === true;
    }

    beforeAll(async () => {
      cluster = await startCluster(DATABASE_CLIENT === 'sqlite' ? withoutCountFlushes(suite.cluster) : suite.cluster);
      [A, B] = cluster.instances;
      await A.command('grantPublic', [`${ARTICLE}.find`, `${ARTICLE}.findOne`]);
      await A.request('POST', '/admin/register-admin', { body: ADMIN });
      const login = await A.request('POST', '/admin/login', { body: { email: ADMIN.email, password: ADMIN.password } });
      jwt = login.body.data.token;
      const base = await admin(A, 'POST', `${CM}?locale=en`, { title: 'Generic', slug: 'generic' }, 201);
      baseId = base.data.documentId;
      await admin(A, 'POST', `${CM}/${baseId}/actions/publish?locale=en`, {});
      const created = await admin(
        A,
        'POST',
        '/personalization/variants',
        { contentType: ARTICLE, baseDocumentId: baseId, key: 'outdoor', name: 'Outdoor', kind: 'targeted', audience: OUTDOOR },
        201
      );
      variant = created.data;
      // The draft variant reaches B too (so far it only changes the label's reason).
      const token = await grantToken();
      await timeUntil(performance.now(), async () => (await label(B, token)).reason === 'draft');
    }, 180_000);

    afterAll(async () => {
      await cluster?.stop();
    }, 60_000);

    it('runs each instance in its own process, on its own port, with the plugin loaded', async () => {
      expect(A.pid).not.toBe(B.pid);
      expect(A.port).not.toBe(B.port);
      const [a, b] = await Promise.all([A.command('status'), B.command('status')]);
      expect(a.transport).toBe(b.transport);
      expect(a.origin).not.toBe(b.origin);
    });

    it('serves on B, within a second, a variant published through A', async () => {
      const token = await grantToken();
      // A draft is never served, on either instance.
      expect(await label(B, token)).toEqual({ variant: null, kind: 'base', reason: 'draft' });

      await admin(A, 'POST', `${CM}/${variant.variantDocumentId}/actions/publish?locale=en`, {});
      expect(await timeUntil(performance.now(), serves(B, token, 'outdoor'))).toBeLessThan(BOUND_MS);
      expect(await label(B, token)).toEqual({ variant: 'outdoor', kind: 'targeted', reason: 'targeted-match' });
    });

    it('stops serving on A, within a second, a variant unpublished on B', async () => {
      const token = await grantToken();
      await makeLive(token);

      await admin(B, 'POST', `${CM}/${variant.variantDocumentId}/actions/unpublish?locale=en`, {});
      expect(await timeUntil(performance.now(), serves(A, token, null))).toBeLessThan(BOUND_MS);
      expect((await label(A, token)).kind).toBe('base');
    });

    it('stops serving on A, within a second, a variant disabled on B', async () => {
      const token = await grantToken();
      await makeLive(token);

      await admin(B, 'PUT', `/personalization/variants/${variant.documentId}`, { enabled: false });
      expect(await timeUntil(performance.now(), serves(A, token, null))).toBeLessThan(BOUND_MS);
      expect(await label(A, token)).toEqual({ variant: null, kind: 'base', reason: 'disabled' });
    });

    it('gives generic content on B, within a second, for a token revoked on A', async () => {
      const token = await grantToken();
      await makeLive(token);
      // B has verified the token and holds it in its cache.
      expect((await label(B, token)).kind).toBe('targeted');

      const withdrawn = await A.request('DELETE', '/api/personalization/consent', { headers: { 'X-Consent-Token': token } });
      expect(withdrawn.status).toBe(204);
      const elapsed = await timeUntil(performance.now(), async () => (await label(B, token)).reason === 'token-revoked');
      expect(elapsed).toBeLessThan(BOUND_MS);
      expect(await label(B, token)).toEqual({ variant: null, kind: 'base', reason: 'token-revoked' });
    });

    it('adds no query for coherence to a content request, while the background check runs', async () => {
      const token = await grantToken();
      await makeLive(token);
      await B.command('takeQueryCounts');
      const perRequest: number[] = [];
      const started = performance.now();
      // Long enough for several background checks in poll mode.
      while (perRequest.length < 20 || performance.now() - started < 1_500) {
        expect((await label(B, token)).variant).toBe('outdoor');
        const counts = await B.command('takeQueryCounts');
        expect(counts.coherenceInRequest).toBe(0);
        perRequest.push(counts.request);
      }
      // The same work each time, whenever the check runs. The one allowed difference: after B
      // rebuilds its index (a check that saw the last change), the next request reads the
      // variant's row again, one query, once.
      const fewest = Math.min(...perRequest);
      expect(perRequest.every((count) => count === fewest || count === fewest + 1)).toBe(true);
      expect(perRequest.filter((count) => count === fewest + 1).length).toBeLessThanOrEqual(2);
    });

    it('announces a change made inside a transaction once it commits, and never one rolled back', async () => {
      const before = (await A.command('status')).announced;
      await A.command('changeInTransaction', false);
      await A.command('changeInTransaction', true);
      await timeUntil(performance.now(), async () => (await A.command('status')).announced > before);
      expect((await A.command('status')).announced).toBe(before + 1);
    });

    if (suite.loseNotifications) {
      it('reads again on B only the base a change through A touched, not the whole index', async () => {
        const token = await grantToken();
        await makeLive(token);
        const before = await B.command('indexStats');
        await admin(A, 'PUT', `/personalization/variants/${variant.documentId}`, { enabled: false });
        await timeUntil(performance.now(), serves(B, token, null));
        const after = await B.command('indexStats');
        expect(after.fullBuilds).toBe(before.fullBuilds);
        expect(after.basesRead - before.basesRead).toBe(1);
        // The next background check finds nothing missed: still no full build.
        const { intervalMs } = await B.command('status');
        await new Promise((resolve) => setTimeout(resolve, intervalMs + 500));
        expect((await B.command('indexStats')).fullBuilds).toBe(before.fullBuilds);
      });
    }

    if (suite.loseNotifications) {
      const loseNotifications = suite.loseNotifications;
      it('survives losing the notification connection during traffic: no 5xx, changes still arrive, then resync', async () => {
        const token = await grantToken();
        await makeLive(token);
        const before = await B.command('status');
        expect(before.listening).toBe(true);

        let running = true;
        const answers: number[] = [];
        // Four visitors on each instance, one request after the other, for the whole test.
        const traffic = Promise.all(
          [A, B, A, B, A, B, A, B].map(async (instance) => {
            while (running || answers.length < 40) {
              const response = await instance.request('GET', `/api/articles?locale=en`, { headers: { 'X-Consent-Token': token } });
              answers.push(response.status);
            }
          })
        );

        const restore = await loseNotifications(cluster);
        // A change while B cannot hear it: the check (or the resync on reconnect) brings it.
        await admin(A, 'PUT', `/personalization/variants/${variant.documentId}`, { enabled: false });
        expect(await timeUntil(performance.now(), serves(B, token, null))).toBeLessThan(BOUND_MS);
        await restore();

        await timeUntil(performance.now(), async () => (await listening(A)) && (await listening(B)));
        const after = await B.command('status');
        expect(after.reconnects).toBeGreaterThan(before.reconnects);
        expect(after.resyncs).toBeGreaterThan(before.resyncs);

        // After recovery a change travels by notification again.
        await admin(A, 'PUT', `/personalization/variants/${variant.documentId}`, { enabled: true });
        expect(await timeUntil(performance.now(), serves(B, token, 'outdoor'))).toBeLessThan(BOUND_MS);
        expect((await B.command('status')).received).toBeGreaterThan(after.received);

        running = false;
        await traffic;
        expect(answers.length).toBeGreaterThanOrEqual(40);
        expect(answers.filter((status) => status !== 200)).toEqual([]);
      });
    }
  });
}
