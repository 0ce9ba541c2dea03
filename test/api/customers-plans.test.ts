// Customers and plans: create, read, list with pagination, duplicates.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  anyString,
  stringMatching,
  stringContaining,
  createApiHarness,
  type ApiHarness,
} from '../support/api-harness.ts';

let api: ApiHarness;
beforeAll(async () => {
  api = await createApiHarness();
});
afterAll(async () => {
  await api?.close();
});

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('customers', () => {
  test('create, then read it back', async () => {
    const created = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: {
        name: 'Émilie',
        email: 'emilie@example.fr',
        currency: 'EUR',
        country: 'FR',
        timezone: 'Europe/Paris',
        locale: 'fr-fr',
      },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json<Record<string, string>>();
    expect(body).toEqual({
      id: stringMatching(/^cus_[a-z2-7]{20}$/),
      name: 'Émilie',
      email: 'emilie@example.fr',
      currency: 'EUR',
      country: 'FR',
      timezone: 'Europe/Paris',
      locale: 'fr-FR', // canonicalized
      address: { line1: null, line2: null, city: null, region: null, postalCode: null },
      customerType: 'individual',
      vatNumber: null,
      taxExempt: null,
      paymentTermsDays: 0,
      testClockId: null,
      documentDesign: null,
      eInvoiceFormat: 'none',
      buyerReference: null,
      peppolEndpoint: null,
      createdAt: stringMatching(ISO_UTC),
    });
    const read = await api.request({ method: 'GET', url: `/v1/customers/${body.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(body);
  });

  test('keeps the tax data a business customer needs, VAT number normalised', async () => {
    const created = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: {
        name: 'Müller GmbH',
        email: 'rechnung@mueller.test',
        currency: 'EUR',
        country: 'DE',
        timezone: 'Europe/Berlin',
        locale: 'de-DE',
        address: { line1: 'Hauptstraße 1', city: 'Berlin', postalCode: '10115' },
        customerType: 'business',
        vatNumber: 'de 123.456.789',
        paymentTermsDays: 30,
      },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      address: { line1: 'Hauptstraße 1', city: 'Berlin', postalCode: '10115', region: null },
      customerType: 'business',
      vatNumber: 'DE123456789',
      paymentTermsDays: 30,
    });
  });

  test('refuses a customer who cannot be taxed, naming the field (clean data)', async () => {
    const base = {
      name: 'Nowhere Inc',
      email: 'ap@nowhere.test',
      currency: 'USD',
      timezone: 'America/Chicago',
      locale: 'en-US',
    };
    const cases: [object, string][] = [
      [{ country: 'US' }, 'address.region'],
      [{ country: 'US', address: { region: 'XX' } }, 'address.region'],
      [{ country: 'CA', address: {} }, 'address.region'],
      [{ country: 'FR', customerType: 'business', vatNumber: 'FR12' }, 'vatNumber'],
    ];
    for (const [fields, field] of cases) {
      const response = await api.request({
        method: 'POST',
        url: '/v1/customers',
        payload: { ...base, ...fields },
      });
      expect(response.statusCode, JSON.stringify(fields)).toBe(422);
      expect(response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field)).toContain(
        field,
      );
    }
    const exempt = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: {
        ...base,
        country: 'US',
        address: { region: 'TX' },
        taxExempt: { reference: 'TX-01-339' },
      },
    });
    expect(exempt.statusCode).toBe(201);
    expect(exempt.json()).toMatchObject({ taxExempt: { reference: 'TX-01-339' } });
  });

  test('an unknown id is a 404 problem', async () => {
    const response = await api.request({ method: 'GET', url: '/v1/customers/cus_nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ type: '/problems/not-found', status: 404 });
  });

  test('lists page newest first with hasMore and a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await api.request({
        method: 'POST',
        url: '/v1/customers',
        payload: {
          name: `Page ${i}`,
          email: `p${i}@example.com`,
          currency: 'JPY',
          country: 'JP',
          timezone: 'Asia/Tokyo',
          locale: 'ja',
        },
      });
      ids.push(r.json<{ id: string }>().id);
    }
    const first = await api.request({ method: 'GET', url: '/v1/customers?limit=2' });
    const page1 = first.json<{ data: { id: string }[]; hasMore: boolean }>();
    expect(page1.data.map((c) => c.id)).toEqual([ids[4], ids[3]]);
    expect(page1.hasMore).toBe(true);

    const second = await api.request({
      method: 'GET',
      url: `/v1/customers?limit=2&startingAfter=${ids[3]}`,
    });
    const page2 = second.json<{ data: { id: string }[]; hasMore: boolean }>();
    expect(page2.data.map((c) => c.id)).toEqual([ids[2], ids[1]]);

    const all = await api.request({ method: 'GET', url: '/v1/customers' });
    expect(all.json<{ hasMore: boolean }>().hasMore).toBe(false);
  });
});

describe('plans', () => {
  const plan = {
    code: 'pro-monthly',
    name: 'Pro',
    currency: 'EUR',
    interval: 'month',
    amount: 4900,
  };

  test('create with intervalCount defaulting to 1, price as money', async () => {
    const response = await api.request({ method: 'POST', url: '/v1/plans', payload: plan });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({
      id: stringMatching(/^plan_/),
      code: 'pro-monthly',
      name: 'Pro',
      currency: 'EUR',
      interval: 'month',
      intervalCount: 1,
      price: { amount: 4900, currency: 'EUR' },
      version: 1,
      taxBehavior: 'exclusive',
      charges: [
        { key: 'base', description: 'Pro', type: 'flat', billing: 'advance', amount: '4900' },
      ],
      minimumCommitment: null,
      billingThreshold: null,
      createdAt: stringMatching(ISO_UTC),
    });
    const read = await api.request({ method: 'GET', url: '/v1/plans/pro-monthly' });
    expect(read.json()).toEqual(response.json());
  });

  test('a duplicate code is a 409 and leaves one row', async () => {
    const duplicate = await api.request({
      method: 'POST',
      url: '/v1/plans',
      payload: { ...plan, name: 'Other' },
    });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json()).toMatchObject({
      type: '/problems/conflict',
      detail: stringContaining('pro-monthly'),
    });
    const rows = await api.db
      .selectFrom('plans')
      .selectAll()
      .where('code', '=', 'pro-monthly')
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.name).toBe('Pro');
  });

  test('concurrent creates of one code: exactly one wins', async () => {
    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        api.request({
          method: 'POST',
          url: '/v1/plans',
          payload: { ...plan, code: 'race', name: `Race ${i}` },
        }),
      ),
    );
    expect(responses.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
  });

  test('codes are slugs, intervals come from the list, amounts are whole minor units', async () => {
    const bad = await api.request({
      method: 'POST',
      url: '/v1/plans',
      payload: {
        code: 'Pro Plan',
        name: 'x',
        currency: 'EUR',
        interval: 'fortnight',
        intervalCount: 0,
        amount: 1.5,
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json<{ errors: { field: string }[] }>()
        .errors.map((e) => e.field)
        .sort(),
    ).toEqual(['amount', 'code', 'interval', 'intervalCount']);
  });

  test('every interval of the billing calendar is accepted', async () => {
    for (const interval of ['day', 'week', 'quarter', 'year']) {
      const response = await api.request({
        method: 'POST',
        url: '/v1/plans',
        payload: {
          code: `every-${interval}`,
          name: interval,
          currency: 'EUR',
          interval,
          intervalCount: 2,
          amount: 0,
        },
      });
      expect(response.statusCode, interval).toBe(201);
      expect(response.json()).toMatchObject({ interval, intervalCount: 2 });
    }
  });

  test('an unknown currency is a 422', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/v1/plans',
      payload: { ...plan, code: 'xts', currency: 'XTS' },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ errors: [{ field: 'currency' }] });
  });

  test('an unknown code is a 404; lists carry hasMore', async () => {
    expect((await api.request({ method: 'GET', url: '/v1/plans/nope' })).statusCode).toBe(404);
    const list = await api.request({ method: 'GET', url: '/v1/plans?limit=1' });
    expect(list.json()).toMatchObject({
      data: [{ code: anyString() }],
      hasMore: true,
    });
    const next = await api.request({
      method: 'GET',
      url: `/v1/plans?limit=100&startingAfter=${list.json<{ data: { code: string }[] }>().data[0]!.code}`,
    });
    expect(next.json<{ data: unknown[] }>().data.length).toBeGreaterThan(0);
  });
});
