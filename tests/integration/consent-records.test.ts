import request from 'supertest';
import type { Core } from '@strapi/strapi';
import { startStrapi, stopStrapi, adminToken } from '../helpers/strapi';

const RECORD = 'plugin::personalization.consent-record';
const REVOCATION = 'plugin::personalization.revocation';
const DAY = 24 * 3600_000;

describe('consent records in the admin: list, export, retention', () => {
  let strapi: Core.Strapi;
  let admin: string;
  const granted: Array<{ token: string; subject: string }> = [];

  const http = () => request(strapi.server.httpServer);
  const list = (query = '') => http().get(`/personalization/consent-records${query}`).set('Authorization', `Bearer ${admin}`);

  beforeAll(async () => {
    strapi = await startStrapi({ config: { rateLimit: { windowSeconds: 60, max: 1000 } } });
    admin = await adminToken(strapi);
    for (const purposes of [['personalization'], ['marketing'], ['functional', 'personalization']]) {
      const response = await http()
        .post('/api/personalization/consent')
        .send({ purposes, attributes: purposes.includes('personalization') ? { country: 'Atlantis-6m' } : {} })
        .expect(201);
      granted.push(response.body.data);
    }
    await http().delete('/api/personalization/consent').set('X-Consent-Token', granted[0].token).expect(204);
  });

  afterAll(async () => {
    await stopStrapi(strapi);
  });

  it('lists records newest first with pagination, and never an attribute value', async () => {
    const response = await list().expect(200);
    expect(response.body.meta.pagination).toEqual({ page: 1, pageSize: 25, pageCount: 1, total: 4 });
    expect(response.body.data.map((record: any) => record.event)).toEqual(['withdrawn', 'granted', 'granted', 'granted']);
    expect(response.body.data[0]).toEqual({
      recordId: expect.any(String),
      subject: granted[0].subject,
      event: 'withdrawn',
      purposes: ['necessary', 'personalization'],
      policyVersion: '1',
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(JSON.stringify(response.body)).not.toContain('Atlantis-6m');

    const page2 = await list('?page=2&pageSize=3').expect(200);
    expect(page2.body.meta.pagination).toEqual({ page: 2, pageSize: 3, pageCount: 2, total: 4 });
    expect(page2.body.data).toHaveLength(1);
    expect(page2.body.data[0].subject).toBe(granted[0].subject);
  });

  it('filters by subject, event and date window', async () => {
    const bySubject = await list(`?subject=${granted[0].subject}`).expect(200);
    expect(bySubject.body.data.map((record: any) => record.event)).toEqual(['withdrawn', 'granted']);
    const withdrawn = await list('?event=withdrawn').expect(200);
    expect(withdrawn.body.meta.pagination.total).toBe(1);
    const today = new Date().toISOString().slice(0, 10);
    expect((await list(`?from=${today}&to=${today}`).expect(200)).body.meta.pagination.total).toBe(4);
    const future = new Date(Date.now() + DAY).toISOString();
    expect((await list(`?from=${future}`).expect(200)).body.meta.pagination.total).toBe(0);
    const past = new Date(Date.now() - DAY).toISOString();
    expect((await list(`?to=${past}`).expect(200)).body.meta.pagination.total).toBe(0);
  });

  it.each([
    ['?event=maybe', 'event'],
    ['?from=yesterday', 'from'],
    ['?pageSize=1000', 'pageSize'],
    ['?sort=subject', 'sort'],
  ])('refuses %s with a 400 naming the parameter', async (query, field) => {
    const response = await list(query).expect(400);
    expect(response.body.error.details.field).toBe(field);
  });

  it('needs an admin with the consent-records permission', async () => {
    await http().get('/personalization/consent-records').expect(401);
    await http().get('/personalization/consent-records/export').expect(401);
  });

  it('exports matching records as CSV with a header row', async () => {
    const response = await http()
      .get('/personalization/consent-records/export')
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toMatch(/attachment; filename="consent-records-\d{4}-\d\d-\d\d\.csv"/);
    const lines = response.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('recordId,subject,event,purposes,policyVersion,occurredAt,expiresAt');
    expect(lines).toHaveLength(5);
    const withdrawal = lines.find((line) => line.includes(',withdrawn,'))!.split(',');
    expect(withdrawal[1]).toBe(granted[0].subject);
    expect(withdrawal[3]).toBe('necessary personalization');
    expect(withdrawal[4]).toBe('1');
    expect(response.text).not.toContain('Atlantis-6m');

    const filtered = await http()
      .get(`/personalization/consent-records/export?subject=${granted[1].subject}`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(200);
    expect(filtered.text.trimEnd().split('\r\n')).toHaveLength(2);
    expect(filtered.text).toContain(granted[1].subject);
  });

  it('purges records past retention and revocations of expired tokens, and schedules that daily', async () => {
    const old = new Date(Date.now() - 4 * 365 * DAY);
    await strapi.db.query(RECORD).create({
      data: { recordId: 'old-record', subject: 'old-subject', event: 'granted', purposes: ['personalization'], policyVersion: '1', occurredAt: old, expiresAt: old },
    });
    await strapi.db.query(REVOCATION).create({ data: { recordId: 'old-record', expiresAt: new Date(Date.now() - DAY) } });
    const live = await strapi.db.query(REVOCATION).count();
    expect(live).toBe(2);

    const job = (strapi as any).cron.jobs.find((spec: any) => spec.name === 'personalization.purgeConsentRecords');
    expect(job).toBeDefined();
    await job.job.invoke();

    expect(await strapi.db.query(RECORD).count({ where: { recordId: 'old-record' } })).toBe(0);
    expect(await strapi.db.query(RECORD).count()).toBe(4);
    expect(await strapi.db.query(REVOCATION).count({ where: { recordId: 'old-record' } })).toBe(0);
    expect(await strapi.db.query(REVOCATION).count()).toBe(1);
    // The withdrawn token stays revoked.
    const inspected = await http().get('/api/personalization/consent').set('X-Consent-Token', granted[0].token).expect(401);
    expect(inspected.body.error.details.reason).toBe('token-revoked');
  });
});
