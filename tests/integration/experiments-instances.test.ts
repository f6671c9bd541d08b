import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCluster, type Cluster, type Instance } from '../helpers/instance';
import { DATABASE_CLIENT } from '../helpers/strapi';
import { assignArm, rangesOf, SKETCH_RELATIVE_STANDARD_ERROR } from '../../server/src/core/experiments';

const COMMANDS = path.resolve(__dirname, '../helpers/experiment-commands.js');
const VISITORS = 24;
const mode = DATABASE_CLIENT === 'postgres' ? 'postgres' : 'poll';

function subjectOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')).sub;
}

describe(`experiment counts of two Strapi processes on one ${DATABASE_CLIENT} database add up`, () => {
  let cluster: Cluster;
  let A: Instance;
  let B: Instance;
  let setup: { baseId: string; experimentId: string; seed: string };

  beforeAll(async () => {
    cluster = await startCluster({ config: { coherence: { mode } } });
    [A, B] = cluster.instances;
    await A.command('grantPublic', ['api::article.article.find', 'api::article.article.findOne']);
    setup = await A.command('call', COMMANDS, 'setUpExperiment');
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  async function label(instance: Instance, token: string) {
    const response = await instance.request('GET', `/api/articles/${setup.baseId}`, { headers: { 'X-Consent-Token': token } });
    expect(response.status).toBe(200);
    return response.body.data.personalization;
  }

  it('enrols visitors alike on both, and the results count what each counted, once', async () => {
    const tokens: string[] = [];
    for (let index = 0; index < VISITORS; index += 1) tokens.push(await A.command('issueToken', ['measurement']));
    const ranges = rangesOf({ seed: setup.seed, weights: [0.5, 0.5], coverage: 1 });
    const armOf = (token: string) => (assignArm(setup.seed, ranges, subjectOf(token)) === 0 ? 'control' : 'summer');
    const exposures: Record<string, number> = { control: 0, summer: 0 };
    // B learns of the running experiment through coherence, as of any change; the answer that shows it is an exposure.
    const since = performance.now();
    while ((await label(B, tokens[0])).reason !== 'experiment') {
      if (performance.now() - since > 10_000) throw new Error('B did not learn of the experiment within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    exposures[armOf(tokens[0])] += 1;
    const conversions: Record<string, number> = { control: 0, summer: 0 };
    const visitors: Record<string, number> = { control: 0, summer: 0 };
    for (const [position, token] of tokens.entries()) {
      const arm = armOf(token);
      visitors[arm] += 1;
      // Every visitor is seen by both instances: unique counts must not double.
      for (const instance of [A, B]) {
        expect(await label(instance, token)).toMatchObject({ reason: 'experiment', experiment: 'hero', arm });
        exposures[arm] += 1;
      }
      const converting = position % 2 === 0 ? A : B;
      const response = await converting.request('POST', '/api/personalization/events', {
        headers: { 'X-Consent-Token': token },
        body: { type: 'conversion', goal: 'signup' },
      });
      expect(response.status).toBe(202);
      expect(response.body.data).toEqual({ counted: true, reason: 'counted' });
      conversions[arm] += 1;
    }

    // Both write the same rows (experiment, arm, day) at once: neither may overwrite the other.
    await Promise.all([A.command('call', COMMANDS, 'flushExperimentCounts'), B.command('call', COMMANDS, 'flushExperimentCounts')]);
    const { results } = await B.command('call', COMMANDS, 'experimentResults', [setup.experimentId]);
    for (const arm of results.arms) {
      expect(arm.exposures).toBe(exposures[arm.key]);
      expect(Math.abs(arm.visitors - visitors[arm.key])).toBeLessThanOrEqual(Math.max(1, Math.ceil(3 * SKETCH_RELATIVE_STANDARD_ERROR * visitors[arm.key])));
      expect(arm.goals.signup.conversions).toBe(conversions[arm.key]);
      expect(arm.goals.signup.converters).toBe(arm.goals.signup.conversions);
    }
    expect(results.overall.exposures).toBe(2 * VISITORS + 1);
  });
  it('loses nothing when both write at the same moment, round after round', async () => {
    const token: string = await A.command('issueToken', ['measurement']);
    let expected = (await A.command('call', COMMANDS, 'experimentResults', [setup.experimentId])).results.overall.exposures;
    for (let round = 0; round < 6; round += 1) {
      for (const instance of [A, B]) expect((await label(instance, token)).reason).toBe('experiment');
      expected += 2;
      // Each flush resolves only once its batch is stored, whoever wrote first.
      await Promise.all([A.command('call', COMMANDS, 'flushExperimentCounts'), B.command('call', COMMANDS, 'flushExperimentCounts')]);
      const { results } = await A.command('call', COMMANDS, 'experimentResults', [setup.experimentId]);
      expect(results.overall.exposures).toBe(expected);
    }
  });
  it('writes what an instance still holds when it shuts down', async () => {
    const token: string = await B.command('issueToken', ['measurement']);
    const before = (await A.command('call', COMMANDS, 'experimentResults', [setup.experimentId])).results;
    expect((await label(B, token)).reason).toBe('experiment');
    const converted = await B.request('POST', '/api/personalization/events', {
      headers: { 'X-Consent-Token': token },
      body: { type: 'conversion', goal: 'signup' },
    });
    expect(converted.body.data.counted).toBe(true);
    // No flush: B's buffer is written by its shutdown (the plugin's destroy).
    await B.stop();
    const after = (await A.command('call', COMMANDS, 'experimentResults', [setup.experimentId])).results;
    expect(after.overall.exposures).toBe(before.overall.exposures + 1);
    expect(after.overall.goals.signup.conversions).toBe(before.overall.goals.signup.conversions + 1);
  });
});
