import { DATABASE_CLIENT } from '../helpers/strapi';
import { asksForDrafts, problems, runFuzz, send, STRAPI_CRASHES, type FuzzRequest, type FuzzTarget } from '../fuzz/fuzz';
import { MARKERS } from '../fuzz/fixture';
import { startFuzzTarget, type FuzzSetup } from '../fuzz/target';

/**
 * Random requests to every public route and the plugin's admin routes of a real Strapi, for a
 * bounded time (tests/fuzz/fuzz.ts says what is generated and checked). FUZZ_SECONDS sets the
 * time; by default 60 s on SQLite and 20 s on the other databases, whose runs come after it in CI.
 * A long run: `npm run fuzz -- --minutes=N`.
 */
const SECONDS = Number(process.env.FUZZ_SECONDS ?? (DATABASE_CLIENT === 'sqlite' ? 60 : 20));
const MIN_REQUESTS = SECONDS >= 60 ? 2_000 : Math.round(10 * SECONDS);

describe('HTTP fuzzing of the public and admin routes', () => {
  let setup: FuzzSetup;
  let target: FuzzTarget;

  beforeAll(async () => {
    setup = await startFuzzTarget();
    target = setup.target;
  }, 420_000);

  afterAll(async () => {
    await setup?.stop();
  });

  it(
    `answers ${MIN_REQUESTS}+ random requests in ${SECONDS} s without a 5xx, a leaked variant or draft, or public targeted content`,
    async () => {
      const report = await runFuzz(target, { durationMs: SECONDS * 1000 });
      const summary = `${report.requests} requests, ${report.batches} batches in ${report.durationMs} ms (seed ${report.seed}); statuses ${JSON.stringify(report.byStatus)}`;
      if (report.failure) throw new Error(`${report.failure}\n${summary}`);
      // The run's figures in the CI log: requests, statuses, and what was set aside as Strapi's own or known.
      console.log(`${summary}\nStrapi without the plugin fails alike: ${JSON.stringify(report.strapiOwn)}\nknown open: ${JSON.stringify(report.knownOpen)}\nnot sent: ${JSON.stringify(report.notSent)}; connections reset by the HTTP server: ${report.connectionResets}`);
      expect(report.requests).toBeGreaterThanOrEqual(MIN_REQUESTS);
      // Every kind of route was reached.
      for (const prefix of ['GET /api/articles', 'POST /graphql', 'POST /api/personalization/consent', 'POST /api/personalization/events', 'GET /api/personalization/explain', 'POST /personalization/variants', 'POST /personalization/experiments', 'GET /personalization/experiments']) {
        expect(Object.keys(report.byRoute).some((route) => route.startsWith(prefix))).toBe(true);
      }
    },
    (SECONDS + 400) * 1000
  );

  /**
   * Counterexamples the fuzzer found, shrunk, kept as they were sent: the plugin's, fixed, and
   * Strapi's own, which the app without the plugin answers alike while the process goes on. (What
   * it found in the plugin and is not fixed yet is in KNOWN_OPEN, tests/fuzz/fuzz.ts.)
   */
  describe('regressions', () => {
    it('an admin route id holding a NUL character is a 400 naming it, not a database error (GET /personalization/segments/%00, PostgreSQL)', async () => {
      const response = await send(target.port, { method: 'GET', path: '/personalization/segments/%00', headers: {}, admin: true }, target.adminJwt);
      expect({ status: response.status, field: JSON.parse(response.text).error?.details?.field }).toEqual({ status: 400, field: 'id' });
    });

    it('so is one in the id of a variant to change or delete (DELETE /personalization/variants/%00, PostgreSQL)', async () => {
      for (const method of ['PUT', 'DELETE']) {
        const response = await send(target.port, { method, path: '/personalization/variants/%00', headers: {}, body: method === 'PUT' ? '{}' : undefined, admin: true }, target.adminJwt);
        expect({ method, status: response.status, field: JSON.parse(response.text).error?.details?.field }).toEqual({ method, status: 400, field: 'id' });
      }
    });

    it('so is a NUL character anywhere in a body, named by its path', async () => {
      const body = JSON.stringify({ key: 'nul', name: 'Nul', rule: { in: ['a\u0000', { var: 'interests' }] } });
      const response = await send(target.port, { method: 'POST', path: '/personalization/segments', headers: {}, body, admin: true }, target.adminJwt);
      expect({ status: response.status, field: JSON.parse(response.text).error?.details?.field }).toEqual({ status: 400, field: 'rule.in.0' });
    });

    const withAndWithout = async (request: FuzzRequest) => {
      const withPlugin = await send(target.port, request, target.adminJwt);
      const without = await send(target.reference!.port, target.reference!.translate(request), target.adminJwt);
      const alive = await send(target.port, { method: 'GET', path: '/api/articles', headers: {} }, target.adminJwt);
      expect(alive.status).toBe(200);
      return { withPlugin, without };
    };

    it('a malformed multipart body fails in Strapi\'s body parser alike, with or without the plugin', async () => {
      const request = { method: 'POST', path: '/api/articles?status=draft', headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, body: 'null' };
      const { withPlugin, without } = await withAndWithout(request);
      expect([withPlugin.status, without.status]).toEqual([500, 500]);
    });

    it('filters given as a list fail in Strapi\'s query builder alike (GET /api/articles/?filters[]=false)', async () => {
      const { withPlugin, without } = await withAndWithout({ method: 'GET', path: '/api/articles/?filters[]=false', headers: {} });
      expect([withPlugin.status, without.status]).toEqual([500, 500]);
    });

    it('a NUL character in a content API id is answered alike with or without the plugin (GET /api/articles/%00; a 500 from PostgreSQL in both)', async () => {
      const { withPlugin, without } = await withAndWithout({ method: 'GET', path: '/api/articles/%00', headers: {} });
      expect(withPlugin.status).toBe(without.status);
    });

    it('a `status` other than `published` asks for drafts with or without the plugin, and the fuzzer counts it as asked (GET /api/articles?status=%2A&_q=G)', async () => {
      // Found by the soak's fuzz run: Strapi reads `status=*` as `draft`; the check took only the word `draft` as asking.
      for (const path of ['/api/articles?status=%2A', '/api/articles?status[0]=x', '/api/articles?status=']) {
        const request: FuzzRequest = { method: 'GET', path, headers: {} };
        const { withPlugin, without } = await withAndWithout(request);
        expect({ path, plugin: withPlugin.text.includes(MARKERS.draftBase), plain: without.text.includes(MARKERS.draftBase) }).toEqual({ path, plugin: true, plain: true });
        expect(asksForDrafts(request)).toBe(true);
        expect(problems(request, withPlugin, target.fixture, await target.variantIds(), target.promoted)).toEqual([]);
      }
      for (const path of ['/api/articles', '/api/articles?status=published', '/api/articles?_q=status%3D%2A']) {
        expect({ path, asks: asksForDrafts({ method: 'GET', path, headers: {} }) }).toEqual({ path, asks: false });
      }
    });

    it('after a promotion, the promoted purpose-bound variant is the base draft\'s content: a read of drafts may show it without `private`, a published read may not (POST /graphql articles(status: DRAFT), PostgreSQL)', () => {
      // Found by the PostgreSQL fuzz run: the run had promoted the fixture experiment's `functional` arm, which copies that
      // variant into the base's draft (published versions stay), and then read drafts; the check took the base's draft for the variant.
      const drafts: FuzzRequest = {
        method: 'POST',
        path: '/graphql',
        headers: { 'Content-Type': 'application/json' },
        body: '{"query":"query Fuzz($filters: ArticleFiltersInput) { articles(filters: $filters, status: DRAFT) { documentId title } }"}',
      };
      const published: FuzzRequest = { ...drafts, body: '{"query":"{ articles { documentId title } }"}' };
      const answer = { status: 200, headers: { 'cache-control': 'no-store' }, text: JSON.stringify({ data: { articles: [{ documentId: 'x', title: `${MARKERS.purposeMass} city` }] } }) };
      const check = (request: FuzzRequest, promoted: boolean) => problems(request, answer, target.fixture, [], promoted);
      expect({ drafts: check(drafts, true), published: check(published, true), draftsUnpromoted: check(drafts, false) }).toEqual({
        drafts: [],
        published: ['purpose-bound content with Cache-Control "no-store"'],
        draftsUnpromoted: ['purpose-bound content with Cache-Control "no-store"'],
      });
    });

    // Last: it ends the app without the plugin.
    it('the update that ends Strapi\'s process ends it without the plugin too, which is why the fuzzer does not send it', async () => {
      const request = { method: 'PUT', path: `/api/articles/${target.fixture.articles[2]}?locale=de`, headers: {}, body: '{"data":[]}' };
      expect(STRAPI_CRASHES.some((known) => known.matches(request))).toBe(true);
      const reference = target.reference!;
      const answer = await send(reference.port, reference.translate(request), target.adminJwt);
      expect(answer.status).toBe(404);
      // The process ends once the failed re-read's rejection goes unhandled, just after the answer.
      let gone = false;
      for (const deadline = Date.now() + 10_000; !gone && Date.now() < deadline; ) {
        gone = await send(reference.port, { method: 'GET', path: '/api/articles', headers: {} }, '').then(() => false, () => true);
      }
      expect(gone).toBe(true);
    });
  });
});
