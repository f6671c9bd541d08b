import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { stopStrapi } from '../helpers/strapi';
import { databaseText } from '../helpers/database';
import { ARTICLE, consentToken, postVariant, publishVariantDocument, startWithGenericArticle } from '../helpers/content';

const MESSAGE = Symbol.for('message');

/** Distinctive attribute values: none of them may appear in any table or any log line. */
const SECRETS = {
  interests: 'zebra-7f3a',
  ageGroup: 'quux-91x',
  country: 'Narnia-q4v',
  device: 'tablet-5hd',
  utmCampaign: 'spring-k2w',
  refused: 'walrus-0p8',
};

describe('privacy (invariant 6): no attribute value is stored or logged', () => {
  let strapi: Core.Strapi;
  let admin: string;
  let baseId: string;
  const logged: string[] = [];
  const writes: Array<() => void> = [];

  const http = () => request(strapi.server.httpServer);

  beforeAll(async () => {
    ({ strapi, admin, baseId } = await startWithGenericArticle());
    const variant = await postVariant(strapi, admin, {
      contentType: ARTICLE,
      baseDocumentId: baseId,
      name: 'Zebra fans',
      key: 'zebra-fans',
      kind: 'targeted',
      audience: { and: [{ '!=': [{ var: 'ageGroup' }, 'nobody'] }, { '!=': [{ var: 'device' }, 'nothing'] }] },
    });
    await publishVariantDocument(strapi, ARTICLE, variant.variantDocumentId);

    // Capture from here on: every log record at every level (its transports kept quiet, so the
    // test output stays readable), and anything else written to stdout/stderr.
    strapi.log.level = 'silly';
    strapi.log.on('data', (info: any) => logged.push(`${info[MESSAGE] ?? ''} ${JSON.stringify(info)}`));
    for (const transport of strapi.log.transports) {
      const wasSilent = transport.silent;
      transport.silent = true;
      writes.push(() => {
        transport.silent = wasSilent;
      });
    }
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      (stream as any).write = (chunk: unknown, ...rest: unknown[]) => {
        logged.push(String(chunk));
        return (original as any)(chunk, ...rest);
      };
      writes.push(() => {
        (stream as any).write = original;
      });
    }
  }, 180_000);

  afterAll(async () => {
    strapi.log.level = 'error';
    writes.forEach((restore) => restore());
    await stopStrapi(strapi);
  });

  it('keeps every value out of every table and every log line through a whole consent lifecycle', async () => {
    const granted = await http()
      .post('/api/personalization/consent')
      .send({
        purposes: ['personalization', 'functional', 'marketing'],
        attributes: { interests: [SECRETS.interests], ageGroup: SECRETS.ageGroup, country: SECRETS.country },
      })
      .expect(201);
    const { token } = granted.body.data;
    const context = Buffer.from(JSON.stringify({ device: SECRETS.device, utmCampaign: SECRETS.utmCampaign })).toString('base64url');
    const consentHeaders = { 'X-Consent-Token': token, 'X-Personalization-Context': context };

    const served = await http().get(`/api/articles/${baseId}`).set(consentHeaders).expect(200);
    expect(served.body.data.personalization).toEqual({ variant: 'zebra-fans', kind: 'targeted', reason: 'targeted-match' });
    await http().get('/api/articles').set(consentHeaders).expect(200);
    await http()
      .post('/graphql')
      .set(consentHeaders)
      .send({ query: '{ articles { documentId title personalization { variant } } }' })
      .expect(200);
    const explained = await http().get(`/api/personalization/explain/${ARTICLE}/${baseId}`).set(consentHeaders).expect(200);
    expect(explained.body.data.read).toEqual(['ageGroup', 'device']);
    const inspected = await http().get('/api/personalization/consent').set(consentHeaders).expect(200);
    expect(inspected.body.data.attributes.ageGroup).toBe(SECRETS.ageGroup);
    // Refused grants carrying values: the refusal may not store or log them either.
    await http()
      .post('/api/personalization/consent')
      .send({ purposes: ['functional'], attributes: { interests: [SECRETS.refused] } })
      .expect(400);
    await http()
      .post('/api/personalization/consent')
      .send({ purposes: ['personalization'], attributes: { ageGroup: [SECRETS.refused] } })
      .expect(400);
    await http().delete('/api/personalization/consent').set(consentHeaders).expect(204);
    const after = await http().get(`/api/articles/${baseId}`).set(consentHeaders).expect(200);
    expect(after.body.data.personalization.reason).toBe('token-revoked');
    await http().get('/personalization/consent-records/export').set('Authorization', `Bearer ${admin}`).expect(200);

    const { text, tables } = await databaseText(strapi);
    // The scan reads the plugin's own tables and real content: these must be found.
    expect(tables).toEqual(expect.arrayContaining(['personalization_consent_records', 'personalization_revocations', 'articles']));
    expect(text).toContain(inspected.body.data.recordId);
    expect(text).toContain(inspected.body.data.subject);
    expect(text).toContain('Zebra fans');

    const logText = logged.join('\n');
    // The capture sees request logging, so it would see a leak too.
    expect(logText).toContain(`/api/articles/${baseId}`);
    expect(logText).toContain('/api/personalization/consent');

    const tokenPayload = token.split('.')[1];
    for (const value of [...Object.values(SECRETS), token, tokenPayload, context]) {
      expect({ where: 'database', found: text.includes(value), value }).toEqual({ where: 'database', found: false, value });
      expect({ where: 'logs', found: logText.includes(value), value }).toEqual({ where: 'logs', found: false, value });
    }
  });
  it('counts experiment visitors without storing or logging their sub, rid, token or attribute values (invariant 9)', async () => {
    const calm = await postVariant(strapi, admin, { contentType: ARTICLE, baseDocumentId: baseId, name: 'Calm', key: 'calm', kind: 'mass' });
    await publishVariantDocument(strapi, ARTICLE, calm.variantDocumentId);
    const auth = { Authorization: `Bearer ${admin}` };
    const created = await http()
      .post('/personalization/experiments')
      .set(auth)
      .send({
        contentType: ARTICLE,
        baseDocumentId: baseId,
        key: 'calm-test',
        name: 'Calm test',
        arms: [
          { key: 'base', variant: null, weight: 0.5 },
          { key: 'calm', variant: 'calm', weight: 0.5 },
        ],
        goals: ['signup'],
        // An audience reading a personal attribute: its value is read, never kept.
        audience: { '!=': [{ var: 'ageGroup' }, 'nobody'] },
      })
      .expect(201);
    await http().post(`/personalization/experiments/${created.body.data.documentId}/start`).set(auth).expect(200);

    const tokens: string[] = [];
    for (let index = 0; index < 8; index += 1) {
      tokens.push(await consentToken(strapi, ['measurement', 'personalization'], { ageGroup: SECRETS.ageGroup, interests: [SECRETS.interests] }));
    }
    for (const token of tokens) {
      const served = await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', token).expect(200);
      expect(served.body.data.personalization.reason).toBe('experiment');
      await http()
        .post('/graphql')
        .set('X-Consent-Token', token)
        .send({ query: '{ articles { documentId personalization { experiment arm } } }' })
        .expect(200);
      const converted = await http()
        .post('/api/personalization/events')
        .set('X-Consent-Token', token)
        .send({ type: 'conversion', goal: 'signup' })
        .expect(202);
      expect(converted.body.data.counted).toBe(true);
    }
    // The paths that read a visitor without counting them: explain, a prefetch, and a conversion without the purpose.
    const explained = await http().get(`/api/personalization/explain/${ARTICLE}/${baseId}`).set('X-Consent-Token', tokens[0]).expect(200);
    expect(explained.body.data.experiment).toMatchObject({ key: 'calm-test', enrolled: true });
    await http().get(`/api/articles/${baseId}`).set('X-Consent-Token', tokens[1]).set('Sec-Purpose', 'prefetch').expect(200);
    const withoutPurpose = await consentToken(strapi, ['personalization'], { ageGroup: SECRETS.ageGroup, interests: [SECRETS.interests] });
    const refused = await http()
      .post('/api/personalization/events')
      .set('X-Consent-Token', withoutPurpose)
      .send({ type: 'conversion', goal: 'signup' })
      .expect(202);
    expect(refused.body.data).toEqual({ counted: false, reason: 'consent-missing' });
    tokens.push(withoutPurpose);
    await strapi.plugin('personalization').service('experiment-counts').flush();
    const results = await http().get(`/personalization/experiments/${created.body.data.documentId}/results`).set(auth).expect(200);
    expect(results.body.data.results.overall.exposures).toBe(16);

    const { text, tables } = await databaseText(strapi);
    expect(tables).toEqual(expect.arrayContaining(['personalization_experiments', 'personalization_experiment_counts']));
    expect(text).toContain('hll1:');
    const logText = logged.join('\n');
    for (const token of tokens) {
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
      for (const value of [claims.sub, claims.rid, token, token.split('.')[1], SECRETS.ageGroup, SECRETS.interests]) {
        expect({ where: 'database', found: text.includes(value), value }).toEqual({ where: 'database', found: false, value });
        expect({ where: 'logs', found: logText.includes(value), value }).toEqual({ where: 'logs', found: false, value });
      }
    }
  });
});
