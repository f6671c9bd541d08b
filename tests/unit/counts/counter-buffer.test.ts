/**
 * The counter machinery experiment and served counts share, against an in-memory table with the
 * database's guarantees (a unique key, an update that matches or not): several instances flushing
 * at once add up, none overwrites another, and what cannot be written yet is kept.
 */
import type { Core } from '@strapi/strapi';
import { counterBuffer, utcDay, type CounterKind } from '../../../server/src/services/counter-buffer';

interface Pending {
  key: string;
  day: string;
  served: number;
}

type Row = { id: number; key: string; day: string; served: number; revision: number };

/** One table; every call yields first, so flushes of several instances interleave. */
function fakeDatabase() {
  const rows: Row[] = [];
  let failing = false;
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const matches = (row: Row, where: Record<string, unknown>) => Object.entries(where).every(([column, value]) => (row as any)[column] === value);
  const query = {
    async findOne({ where }: { where: Record<string, unknown> }) {
      await tick();
      if (failing) throw new Error('connection lost');
      const row = rows.find((candidate) => matches(candidate, where));
      return row ? { ...row } : null;
    },
    async create({ data }: { data: Omit<Row, 'id'> }) {
      await tick();
      if (rows.some((row) => row.key === data.key && row.day === data.day)) throw new Error('unique violation');
      rows.push({ ...data, id: rows.length + 1 });
    },
    async updateMany({ where, data }: { where: Record<string, unknown>; data: Partial<Row> }) {
      await tick();
      const found = rows.filter((row) => matches(row, where));
      found.forEach((row) => Object.assign(row, data));
      return { count: found.length };
    },
  };
  const strapi = { db: { query: () => query }, log: { warn: () => undefined } } as unknown as Core.Strapi;
  return { strapi, rows, fail: (value: boolean) => (failing = value) };
}

const KIND: CounterKind<Pending> = {
  uid: 'plugin::personalization.served-count',
  label: 'test counts',
  keysOf: ({ key, day }) => ({ key, day }),
  combined: (row, pending) => ({ served: (Number(row?.served) || 0) + pending.served }),
  mergeInto: (target, source) => {
    target.served += source.served;
  },
};

const NOW = Date.parse('2026-11-30T12:00:00Z');

function count(buffer: ReturnType<typeof counterBuffer<Pending>>, key: string, times: number) {
  const day = utcDay(NOW);
  for (let i = 0; i < times; i += 1) buffer.entry(`${key}/${day}`, () => ({ key, day, served: 0 })).served += 1;
}

describe('utcDay', () => {
  it('gives the UTC day of any instant, also right after another day was asked for', () => {
    for (const instant of ['2026-11-30T23:59:59.999Z', '2026-12-01T00:00:00.000Z', '2026-11-30T00:00:00.000Z', '1969-12-31T23:59:59.999Z', '2024-02-29T12:00:00.000Z', '2026-12-01T00:00:00.001Z']) {
      expect(utcDay(Date.parse(instant))).toBe(instant.slice(0, 10));
    }
  });
});

describe('counter buffer', () => {
  it('adds up what several instances flush at once, one row per key and day', async () => {
    const { strapi, rows } = fakeDatabase();
    const instances = [counterBuffer(strapi, KIND), counterBuffer(strapi, KIND), counterBuffer(strapi, KIND)];
    instances.forEach((buffer, position) => {
      count(buffer, 'summer', 10 + position);
      count(buffer, 'base', position);
    });
    await Promise.all(instances.map((buffer) => buffer.flush()));
    // Several rounds of contention may leave a retry for the next flush: nothing is lost.
    while (instances.some((buffer) => buffer.pending() > 0)) await Promise.all(instances.map((buffer) => buffer.flush()));
    expect(rows.map(({ key, served }) => [key, served]).sort()).toEqual([
      ['base', 3],
      ['summer', 33],
    ]);
  });

  it('keeps entries it could not write, with what was counted meanwhile, for the next flush', async () => {
    const { strapi, rows, fail } = fakeDatabase();
    const buffer = counterBuffer(strapi, KIND);
    count(buffer, 'summer', 2);
    fail(true);
    expect(await buffer.flush()).toBe(0);
    expect(buffer.pending()).toBe(1);
    count(buffer, 'summer', 3);
    fail(false);
    expect(await buffer.flush()).toBe(1);
    expect(rows).toEqual([expect.objectContaining({ key: 'summer', served: 5 })]);
    expect(buffer.pending()).toBe(0);
  });

  it('writes a batch row by row when the one statement fails, and tries the one statement again next time', async () => {
    const { strapi, rows } = fakeDatabase();
    const batches: number[] = [];
    let refuse = true;
    const buffer = counterBuffer(strapi, {
      ...KIND,
      async addAll(batch) {
        batches.push(batch.length);
        if (refuse) throw new Error('database is locked');
        for (const pending of batch) rows.push({ id: rows.length + 1, key: pending.key, day: pending.day, served: pending.served, revision: 0 });
      },
    });
    count(buffer, 'summer', 2);
    expect(await buffer.flush()).toBe(1);
    expect(rows).toEqual([expect.objectContaining({ key: 'summer', served: 2 })]);
    refuse = false;
    count(buffer, 'winter', 1);
    expect(await buffer.flush()).toBe(1);
    expect(batches).toEqual([1, 1]);
    expect(rows.map(({ key, served }) => [key, served])).toEqual([
      ['summer', 2],
      ['winter', 1],
    ]);
  });

  it('forgets dropped entries and writes the rest on stop', async () => {
    const { strapi, rows } = fakeDatabase();
    const buffer = counterBuffer(strapi, KIND);
    count(buffer, 'gone', 1);
    count(buffer, 'kept', 1);
    buffer.drop((pending) => pending.key === 'gone');
    await buffer.stop();
    expect(rows.map((row) => row.key)).toEqual(['kept']);
  });
});
