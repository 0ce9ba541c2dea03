// Automatic wallet top-ups through the public API on the real workflows and a test clock: a
// renewal that draws a wallet under its threshold buys once (an invoice, the credit granted once
// it is paid), a second renewal while that purchase is unpaid buys nothing more; a recurring rule
// buys once per month over three advanced months and nothing once removed.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { postCustomer } from '../support/builders/customers.ts';
import {
  advanceClock,
  createBillingHarness,
  created,
  newClock,
  subscribe,
  type BillingHarness,
} from '../support/billing-harness.ts';

interface Money {
  amount: number;
  currency: string;
}
interface Grant {
  id: string;
  status: string;
  amount: Money;
  invoiceId: string | null;
}
interface Wallet {
  id: string;
  balance: Money;
  pending: Money;
  grants: Grant[];
}
interface Invoice {
  id: string;
  status: string;
  total: Money;
  tax: Money;
  number: string | null;
}

let h: BillingHarness;
beforeAll(async () => {
  h = await createBillingHarness();
  created(
    await h.post('/v1/plans', {
      code: 'topup-pro',
      name: 'Pro (monthly)',
      currency: 'EUR',
      interval: 'month',
      amount: 4900,
    }),
  );
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const put = (url: string, payload: object) => h.api.request({ method: 'PUT', url, payload });
const walletOf = (id: string) => h.get<Wallet>(`/v1/wallets/${id}`);
const fieldOf = (response: { json<U>(): U }) =>
  response.json<{ errors?: { field: string }[] }>().errors?.[0]?.field;

async function pay(invoiceId: string, amount: number, reference: string) {
  const paid = await h.post(`/v1/invoices/${invoiceId}/payments`, {
    amount,
    method: 'bank transfer',
    reference,
  });
  expect(paid.statusCode, paid.body).toBeLessThan(300);
}

test('a renewal under the threshold buys once; paid, the credit is granted once', async () => {
  const clock = await newClock(h, '2027-01-01T08:00:00.000Z');
  const customerId = await postCustomer(h.api, { name: 'Lutèce SAS', testClockId: clock });
  await subscribe(h, { customerId, planCode: 'topup-pro' });
  const wallet = created<Wallet>(
    await h.post(`/v1/customers/${customerId}/wallets`, { name: 'Prepaid' }),
  );
  const bought = created<Grant>(
    await h.post(`/v1/wallets/${wallet.id}/grants`, { kind: 'purchased', amount: 10000 }),
  );
  await pay(bought.invoiceId!, 10000, 'wire-initial');

  // Bad rules name their field; no rule yet is a 404.
  expect(
    (await h.api.request({ method: 'GET', url: `/v1/wallets/${wallet.id}/top-up` })).statusCode,
  ).toBe(404);
  const noLevel = await put(`/v1/wallets/${wallet.id}/top-up`, {
    kind: 'threshold',
    below: 0,
    amount: 3000,
    credit: 3000,
  });
  expect(noLevel.statusCode).toBeGreaterThanOrEqual(400);
  expect(noLevel.statusCode).toBeLessThan(500);
  expect(fieldOf(noLevel)).toContain('below');

  const rule = await put(`/v1/wallets/${wallet.id}/top-up`, {
    kind: 'threshold',
    below: 5000,
    amount: 3000,
    credit: 3000,
  });
  expect(rule.statusCode, rule.body).toBe(200);
  expect(rule.json()).toMatchObject({ kind: 'threshold', below: { amount: 5000 } });

  // February: the renewal (EUR 58.80 with VAT) takes the balance from 100.00 to 41.20, under
  // the 50.00 level: one purchase of EUR 30.00, invoiced, pending.
  await advanceClock(h, clock, '2027-02-01T12:00:00.000Z');
  let after = await walletOf(wallet.id);
  expect(after.balance.amount).toBe(10000 - 5880);
  const topUps = () => after.grants.filter((g) => g.id !== bought.id);
  expect(topUps()).toHaveLength(1);
  const [topUp] = topUps();
  expect(topUp).toMatchObject({ status: 'pending', amount: { amount: 3000 } });
  const invoice = await h.get<Invoice>(`/v1/invoices/${topUp!.invoiceId}`);
  expect(invoice).toMatchObject({ status: 'open', total: { amount: 3000 }, tax: { amount: 0 } });
  expect(invoice.number).toBeTruthy();
  // Delivered and collected like a bought grant's invoice: both starts are in the outbox,
  // written with the purchase (the worker's drainer starts them; this harness runs none).
  const starts = await h.api.db
    .selectFrom('workflow_starts')
    .select('kind')
    .where('workflow_id', 'like', `%${invoice.id}%`)
    .orderBy('kind')
    .execute();
  expect(starts.map((row) => row.kind)).toEqual(['collection', 'manual_invoice_delivery']);

  // March: the renewal draws the wallet to 0 while the top-up is unpaid: no second purchase.
  await advanceClock(h, clock, '2027-03-01T12:00:00.000Z');
  after = await walletOf(wallet.id);
  expect(after.balance.amount).toBe(0);
  expect(topUps()).toHaveLength(1);

  // Paid (the same payment posted twice): the credit is granted once.
  await pay(topUp!.invoiceId!, 3000, 'wire-topup');
  await pay(topUp!.invoiceId!, 3000, 'wire-topup');
  after = await walletOf(wallet.id);
  expect(after.balance.amount).toBe(3000);
  expect(topUps()[0]).toMatchObject({ status: 'active' });
  const movements = await h.get<{ data: { kind: string; grantId: string }[] }>(
    `/v1/wallets/${wallet.id}/transactions?limit=100`,
  );
  expect(movements.data.filter((m) => m.kind === 'grant' && m.grantId === topUp!.id)).toHaveLength(
    1,
  );
}, 300_000);

test('a recurring rule buys once a month over three months, and nothing once removed', async () => {
  const clock = await newClock(h, '2027-01-01T08:00:00.000Z');
  const customerId = await postCustomer(h.api, { name: 'Lutèce SAS', testClockId: clock });
  const wallet = created<Wallet>(
    await h.post(`/v1/customers/${customerId}/wallets`, { name: 'Monthly' }),
  );
  const badAnchor = await put(`/v1/wallets/${wallet.id}/top-up`, {
    kind: 'recurring',
    amount: 2000,
    credit: 2000,
    interval: 'fortnight',
  });
  expect(badAnchor.statusCode).toBeGreaterThanOrEqual(400);
  expect(fieldOf(badAnchor)).toContain('interval');
  const rule = await put(`/v1/wallets/${wallet.id}/top-up`, {
    kind: 'recurring',
    amount: 2000,
    credit: 2000,
    interval: 'month',
    anchor: '2027-01-15T00:00:00.000Z',
  });
  expect(rule.statusCode, rule.body).toBe(200);
  expect(await h.get(`/v1/wallets/${wallet.id}/top-up`)).toMatchObject({
    kind: 'recurring',
    interval: 'month',
    anchor: '2027-01-15T00:00:00.000Z',
  });

  const purchases = async () => (await walletOf(wallet.id)).grants;
  // Advanced twice within a month: still one purchase for that month.
  for (const [to, count] of [
    ['2027-02-01T00:00:00.000Z', 1],
    ['2027-02-05T00:00:00.000Z', 1],
    ['2027-03-01T00:00:00.000Z', 2],
    ['2027-04-01T00:00:00.000Z', 3],
  ] as const) {
    await advanceClock(h, clock, to);
    expect(await purchases(), to).toHaveLength(count);
  }
  for (const grant of await purchases()) {
    expect(grant).toMatchObject({ status: 'pending', amount: { amount: 2000 } });
    expect(await h.get<Invoice>(`/v1/invoices/${grant.invoiceId}`)).toMatchObject({
      status: 'open',
      total: { amount: 2000 },
    });
  }

  // Removed: nothing more is bought.
  const removed = await h.api.request({ method: 'DELETE', url: `/v1/wallets/${wallet.id}/top-up` });
  expect(removed.statusCode).toBe(204);
  await advanceClock(h, clock, '2027-05-01T00:00:00.000Z');
  await advanceClock(h, clock, '2027-06-01T00:00:00.000Z');
  expect(await purchases()).toHaveLength(3);
}, 300_000);
