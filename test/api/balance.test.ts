// The live balance through the public API, with the real subscription and balance workflows on a
// test clock: usage ingested in batches shows in GET /v1/customers/:id/balance, priced as the
// period-end invoice then prices it (to the minor unit); a batch sent again and a signal
// delivered twice count once; a GET under a steady stream of batches answers at once with every
// batch answered before it; wallet credit is shown and the entitlement turns false once the
// period's charges use it up; the period boundary resets the balance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerBalanceWorkflowId } from '../../workflow-contracts/ids.ts';
import { balanceQuery, usageRecordedSignal } from '../../workflows/customer-balance-messages.ts';
import {
  advanceClock,
  createBillingHarness,
  created,
  issuedInvoices,
  newClock,
  newCustomer,
  subscribe,
  usageCharge,
  type BillingHarness,
  type Money,
  type Sub,
} from '../support/billing-harness.ts';

interface Balance {
  customerId: string;
  periodStart: string | null;
  periodEnd: string | null;
  charges: {
    chargeKey: string | null;
    metricCode: string | null;
    quantity: string;
    amount: Money;
  }[];
  ratedAmount: Money;
  total: Money;
  wallets: { walletId: string; name: string; balance: Money }[];
  walletBalance: Money;
  amountAfterCredit: Money;
  asOf: string;
}

interface Entitlement {
  metric: string;
  allowed: boolean;
  remainingUnits: string | null;
  remainingCredit: Money | null;
}

let h: BillingHarness;
let clockId: string;
let payer: string; // no wallet: billed at the period end
let prepaid: string; // a wallet of promotional credit
let payerSub: Sub;

const JAN = (day: number) => `2027-01-${String(day).padStart(2, '0')}T10:00:00Z`;

function calls(customerId: string, prefix: string, count: number, day = 10) {
  return Array.from({ length: count }, (_, i) => ({
    transactionId: `${prefix}-${i}`,
    customerId,
    metricCode: 'api_calls',
    timestamp: JAN(day),
  }));
}

async function ingest(events: object[]) {
  const response = await h.post('/v1/events', { events });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<{ accepted: number; duplicates: number }>();
}

const balanceOf = (customerId: string) => h.get<Balance>(`/v1/customers/${customerId}/balance`);
const usageLine = (balance: Balance) => balance.charges.find((c) => c.metricCode === 'api_calls')!;

beforeAll(async () => {
  h = await createBillingHarness();
  clockId = await newClock(h, '2027-01-01T09:00:00Z');
  created(
    await h.post('/v1/metrics', { code: 'api_calls', name: 'API calls', aggregation: 'count' }),
  );
  created(
    await h.post('/v1/plans', {
      code: 'metered',
      name: 'Metered',
      currency: 'EUR',
      interval: 'month',
      charges: [
        { key: 'base', type: 'flat', description: 'Base', billing: 'advance', amount: '1000' },
        usageCharge('calls', 'api_calls', { model: 'per_unit', unitPrice: '5' }),
      ],
    }),
  );
  payer = await newCustomer(h, clockId);
  prepaid = await newCustomer(h, clockId);
  payerSub = await subscribe(h, { customerId: payer, planCode: 'metered' });
  const prepaidSub = await subscribe(h, { customerId: prepaid, planCode: 'metered' });
  // Mid-January: the first invoices (January's advance charges) are issued.
  await advanceClock(h, clockId, '2027-01-15T12:00:00Z');
  await Promise.all([issuedInvoices(h, payerSub.id, 1), issuedInvoices(h, prepaidSub.id, 1)]);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('GET /v1/customers/:id/balance', () => {
  it('starts at the period’s advance charges and no usage', async () => {
    const balance = await balanceOf(payer);
    expect(balance.periodStart).toBe('2027-01-01T09:00:00.000Z');
    expect(usageLine(balance).amount.amount).toBe(0);
    expect(balance.ratedAmount).toEqual({ amount: 1000, currency: 'EUR' });
    expect(balance.wallets).toEqual([]);
  });

  it('reflects each ingested batch, and a batch sent again counts once', async () => {
    await ingest(calls(payer, 'a', 30));
    let balance = await balanceOf(payer);
    expect(usageLine(balance)).toMatchObject({ quantity: '30', amount: { amount: 150 } });
    expect(balance.ratedAmount.amount).toBe(1150);
    expect(balance.total.amount).toBe(1380); // VAT 20 %

    const again = await ingest(calls(payer, 'a', 30));
    expect(again).toMatchObject({ accepted: 0, duplicates: 30 });
    await ingest(calls(payer, 'b', 12, 14));
    balance = await balanceOf(payer);
    expect(usageLine(balance)).toMatchObject({ quantity: '42', amount: { amount: 210 } });
    expect(balance.ratedAmount.amount).toBe(1210);
  });

  it('counts a signal delivered twice once (idempotent by batch id)', async () => {
    const handle = h.client.workflow.getHandle(customerBalanceWorkflowId(payer));
    const before = await handle.query(balanceQuery);
    const batch = { batchId: 'retried-batch', events: { api_calls: 7 } };
    await handle.signal(usageRecordedSignal, batch);
    await handle.signal(usageRecordedSignal, batch);
    const after = await handle.query(balanceQuery);
    expect(after.batches).toBe(before.batches + 1);
    expect(after.events.api_calls).toBe((before.events.api_calls ?? 0) + 7);
    // The figure itself comes from PostgreSQL: a signal never adds usage the database lacks.
    expect(usageLine(await balanceOf(payer)).quantity).toBe('42');
  });

  it('answers while batches keep arriving, with every batch answered before it', async () => {
    // A steady stream: some batch is always unread. The GET waits for the ones answered before
    // it, not for the stream to pause (it used to run into its 5 s limit here).
    const start = Number(usageLine(await balanceOf(payer)).quantity);
    let answered = 0;
    let streaming = true;
    const stream = (async () => {
      for (let n = 0; streaming; n++)
        answered += (await ingest(calls(payer, `s${n}`, 5, 14))).accepted;
    })();
    try {
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const before = answered;
        const t0 = Date.now();
        const balance = await balanceOf(payer);
        expect(Date.now() - t0).toBeLessThan(3_000);
        expect(Number(usageLine(balance).quantity)).toBeGreaterThanOrEqual(start + before);
      }
    } finally {
      streaming = false;
      await stream;
    }
    expect(answered).toBeGreaterThan(0);
    expect(usageLine(await balanceOf(payer)).quantity).toBe(String(start + answered));
  });

  it('shows wallet credit, and the entitlement turns false once the credit is used up', async () => {
    const wallet = created<{ id: string }>(
      await h.post(`/v1/customers/${prepaid}/wallets`, { name: 'Prepaid usage' }),
    );
    created(
      await h.post(`/v1/wallets/${wallet.id}/grants`, {
        kind: 'promotional',
        amount: 1500,
        reason: 'launch offer',
      }),
    );
    await ingest(calls(prepaid, 'p', 3));
    const balance = await balanceOf(prepaid);
    expect(balance.ratedAmount.amount).toBe(1015);
    expect(balance.total.amount).toBe(1218);
    expect(balance.wallets).toEqual([
      { walletId: wallet.id, name: 'Prepaid usage', balance: { amount: 1500, currency: 'EUR' } },
    ]);
    expect(balance.walletBalance.amount).toBe(1500);
    expect(balance.amountAfterCredit.amount).toBe(0);

    const url = `/v1/customers/${prepaid}/entitlement?metric=api_calls`;
    // 282 left buys 47 calls at 5 + 20 % VAT (6 each).
    expect(await h.get<Entitlement>(url)).toEqual({
      metric: 'api_calls',
      allowed: true,
      remainingUnits: '47',
      remainingCredit: { amount: 282, currency: 'EUR' },
    });
    await ingest(calls(prepaid, 'q', 47));
    expect(await h.get<Entitlement>(url)).toEqual({
      metric: 'api_calls',
      allowed: false,
      remainingUnits: '0',
      remainingCredit: { amount: 0, currency: 'EUR' },
    });
    const spent = await balanceOf(prepaid);
    expect(spent.total.amount).toBe(1500);
    expect(spent.amountAfterCredit.amount).toBe(0);
  });

  it('answers unlimited without a wallet; names the field or the customer when refused', async () => {
    expect(await h.get<Entitlement>(`/v1/customers/${payer}/entitlement?metric=api_calls`)).toEqual(
      { metric: 'api_calls', allowed: true, remainingUnits: null, remainingCredit: null },
    );
    const unknownMetric = await h.api.request({
      method: 'GET',
      url: `/v1/customers/${payer}/entitlement?metric=nope_metric`,
    });
    expect(unknownMetric.statusCode).toBe(422);
    expect(unknownMetric.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('metric');
    const missing = await h.api.request({
      method: 'GET',
      url: `/v1/customers/${payer}/entitlement`,
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('metric');
    const nobody = await h.api.request({ method: 'GET', url: '/v1/customers/cus_nobody/balance' });
    expect(nobody.statusCode).toBe(404);
  });

  it('equals the invoice the period end issues, to the minor unit, then resets', async () => {
    const before = await balanceOf(payer);
    await advanceClock(h, clockId, '2027-02-01T12:00:00Z');
    const invoices = await issuedInvoices(h, payerSub.id, 2);
    const periodEnd = invoices[1]!;
    expect(periodEnd.total.amount).toBe(before.total.amount);
    expect(periodEnd.subtotal.amount - periodEnd.discountTotal.amount).toBe(
      before.ratedAmount.amount,
    );
    const byDescription = (lines: { description: string; amount: Money }[]) =>
      lines.map((l) => l.amount.amount).sort((a, b) => a - b);
    expect(byDescription(periodEnd.lines)).toEqual(
      byDescription(before.charges.map((c) => ({ description: '', amount: c.amount }))),
    );

    const reset = await balanceOf(payer);
    expect(reset.periodStart).toBe('2027-02-01T09:00:00.000Z');
    expect(usageLine(reset)).toMatchObject({ quantity: '0', amount: { amount: 0 } });
    expect(reset.ratedAmount.amount).toBe(1000);
  });
});
