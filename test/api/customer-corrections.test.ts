// PATCH /v1/customers/:id: a merge patch checked as a new customer is, all of it or nothing, the
// currency and test clock fixed for life, and the audit trail naming what changed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiHarness, stringContaining, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';

let api: ApiHarness;
beforeAll(async () => {
  api = await createApiHarness();
});
afterAll(async () => {
  await api?.close();
});

const patch = (id: string, payload: object, headers: Record<string, string> = {}) =>
  api.request({ method: 'PATCH', url: `/v1/customers/${id}`, payload, headers });

async function read(id: string): Promise<Record<string, unknown>> {
  const response = await api.request({ method: 'GET', url: `/v1/customers/${id}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** A business in Berlin with an address and a VAT number. */
const business = () =>
  postCustomer(api, {
    name: 'Müller GmbH',
    email: 'rechnung@mueller.test',
    country: 'DE',
    timezone: 'Europe/Berlin',
    locale: 'de-DE',
    address: { line1: 'Hauptstraße 1', city: 'Berlin', postalCode: '10115' },
    customerType: 'business',
    vatNumber: 'DE123456789',
    paymentTermsDays: 30,
  });

describe('correcting a customer', () => {
  test('changes only the fields sent, checked and normalised as at create', async () => {
    const id = await business();
    const before = await read(id);
    const response = await patch(id, {
      email: 'buchhaltung@mueller.test',
      locale: 'de-at',
      vatNumber: 'de 987.654.321',
    });
    expect(response.statusCode, response.body).toBe(200);
    const after = response.json<Record<string, unknown>>();
    expect(after).toEqual({
      ...before,
      email: 'buchhaltung@mueller.test',
      locale: 'de-AT',
      vatNumber: 'DE987654321',
    });
    expect(await read(id)).toEqual(after);
  });

  test('an address sent changes only its parts; null clears a part, or the whole address', async () => {
    const id = await business();
    const moved = await patch(id, { address: { line2: '3. OG', line1: 'Torstraße 5' } });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({
      address: {
        line1: 'Torstraße 5',
        line2: '3. OG',
        city: 'Berlin',
        postalCode: '10115',
        region: null,
      },
    });
    const floorless = await patch(id, { address: { line2: null } });
    expect(floorless.json()).toMatchObject({
      address: { line1: 'Torstraße 5', line2: null, city: 'Berlin', postalCode: '10115' },
    });
    const cleared = await patch(id, { address: null, vatNumber: null, customerType: 'individual' });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json()).toMatchObject({
      address: { line1: null, line2: null, city: null, region: null, postalCode: null },
      vatNumber: null,
      customerType: 'individual',
    });
  });

  test('tax exemption set and cleared; payment terms and time zone changed', async () => {
    const id = await postCustomer(api);
    const exempt = await patch(id, {
      taxExempt: { reference: 'Art. 151 VAT Directive' },
      paymentTermsDays: 15,
      timezone: 'America/Martinique',
    });
    expect(exempt.statusCode, exempt.body).toBe(200);
    expect(exempt.json()).toMatchObject({
      taxExempt: { reference: 'Art. 151 VAT Directive' },
      paymentTermsDays: 15,
      timezone: 'America/Martinique',
    });
    const taxed = await patch(id, { taxExempt: null });
    expect(taxed.json()).toMatchObject({ taxExempt: null, paymentTermsDays: 15 });
  });

  test.each([
    [{ country: 'XX' }, 'country'],
    [{ country: 'UK' }, 'country'],
    [{ timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    [{ locale: 'not_a_locale' }, 'locale'],
    [{ vatNumber: 'DE12' }, 'vatNumber'],
    [{ country: 'US' }, 'address.region'],
    [{ country: 'US', address: { region: 'XX' } }, 'address.region'],
    [{ taxExempt: { reference: ' ' } }, 'taxExempt.reference'],
  ])('refuses %j with a 422 naming %s, and writes nothing', async (body, field) => {
    const id = await business();
    const before = await read(id);
    // A valid change beside the faulty one is not written either.
    const response = await patch(id, { name: 'Müller & Söhne GmbH', ...body });
    expect(response.statusCode, response.body).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<{ errors: { field: string }[] }>().errors).toEqual([
      expect.objectContaining({ field }),
    ]);
    expect(await read(id)).toEqual(before);
  });

  test.each([
    [{ email: 'not an email' }, 'email'],
    [{ name: null }, 'name'],
    [{ name: '' }, 'name'],
    [{ customerType: 'company' }, 'customerType'],
    [{ paymentTermsDays: 400 }, 'paymentTermsDays'],
    [{ address: { line3: 'x' } }, 'address.line3'],
    [{ nickname: 'Mü' }, 'nickname'],
  ])('refuses the malformed %j with a 400 naming %s', async (body, field) => {
    const id = await business();
    const before = await read(id);
    const response = await patch(id, body);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json<{ errors: { field: string }[] }>().errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field })]),
    );
    expect(await read(id)).toEqual(before);
  });

  test('a patch with no body, or an empty one, is refused with a 400 and writes nothing', async () => {
    const id = await business();
    const before = await read(id);
    const missing = await api.request({ method: 'PATCH', url: `/v1/customers/${id}` });
    expect(missing.statusCode, missing.body).toBe(400);
    const empty = await patch(id, {});
    expect(empty.statusCode, empty.body).toBe(400);
    expect(empty.headers['content-type']).toContain('application/problem+json');
    expect(await read(id)).toEqual(before);
  });

  test('404 for an unknown customer', async () => {
    const response = await patch('cus_nope', { name: 'Nobody' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ type: '/problems/not-found' });
  });

  test('the currency and the test clock are fixed for life: refused, not ignored', async () => {
    const id = await business();
    const before = await read(id);
    const currency = await patch(id, { currency: 'USD', name: 'Renamed' });
    expect(currency.statusCode, currency.body).toBe(422);
    expect(currency.json()).toMatchObject({
      errors: [{ field: 'currency', message: stringContaining('cannot change from EUR') }],
    });
    const clock = await api.request({
      method: 'POST',
      url: '/v1/test-clocks',
      payload: { frozenTime: '2027-01-01T00:00:00Z' },
    });
    expect(clock.statusCode, clock.body).toBe(201);
    const onClock = await patch(id, { testClockId: clock.json<{ id: string }>().id });
    expect(onClock.statusCode, onClock.body).toBe(422);
    expect(onClock.json()).toMatchObject({
      errors: [{ field: 'testClockId', message: stringContaining('real time') }],
    });
    expect(await read(id)).toEqual(before);
    // Sending back what the customer already has changes nothing.
    const same = await patch(id, { currency: 'EUR', testClockId: null });
    expect(same.statusCode, same.body).toBe(200);
    expect(same.json()).toEqual(before);
  });

  test('the audit trail keeps old and new settings, and only the names of personal data', async () => {
    const id = await business();
    const response = await patch(
      id,
      {
        name: 'Müller AG',
        email: 'ap@mueller.test',
        locale: 'en-GB',
        paymentTermsDays: 14,
        address: { city: 'Potsdam', postalCode: '14467' },
        vatNumber: 'DE111222333',
      },
      { 'x-operator': 'ana@finance' },
    );
    expect(response.statusCode, response.body).toBe(200);
    const events = await api.request({
      method: 'GET',
      url: `/v1/audit-events?resourceId=${id}`,
    });
    expect(events.statusCode, events.body).toBe(200);
    const [event] = events.json<{ data: Record<string, unknown>[] }>().data;
    expect(event).toMatchObject({
      action: 'PATCH /v1/customers/:id',
      operator: 'ana@finance',
      resourceId: id,
      status: 200,
    });
    expect(event!.changes).toEqual([
      { field: 'name' },
      { field: 'email' },
      { field: 'locale', from: 'de-DE', to: 'en-GB' },
      { field: 'address.city' },
      { field: 'address.postalCode' },
      { field: 'vatNumber' },
      { field: 'paymentTermsDays', from: 30, to: 14 },
    ]);
    // No personal data in the trail.
    expect(JSON.stringify(event)).not.toMatch(/Müller|mueller|Potsdam|14467|DE111222333/);
  });

  test('a patch that changes nothing is answered, and its audit event names no change', async () => {
    const id = await business();
    const response = await patch(id, { locale: 'de-DE' });
    expect(response.statusCode, response.body).toBe(200);
    const events = await api.request({ method: 'GET', url: `/v1/audit-events?resourceId=${id}` });
    expect(events.json<{ data: { changes: unknown }[] }>().data[0]!.changes).toBeNull();
  });
});
