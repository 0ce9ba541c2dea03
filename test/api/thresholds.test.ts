// Threshold billing through the public API, with the real subscription and balance workflows on
// a test clock: a subscription with a billing threshold gets exactly one interim invoice when its
// unbilled usage crosses it (however many batches, re-reads and repeated requests follow), a
// second one for the new usage only when it crosses again, and a period-end invoice for the rest;
// its invoices add up, to the minor unit, to what an identical twin without a threshold is billed.
// A threshold PATCHed below the usage so far bills it at once; bad thresholds are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriptionWorkflowId } from '../../workflow-contracts/ids.ts';
import { thresholdInvoiceUpdate } from '../../workflow-contracts/thresholds.ts';
import { translate } from '../../i18n/catalogue.ts';
import { createEncryptionCodec } from '../../temporal/payload-codec.ts';
import { TEST_PAYLOAD_KEYS } from '../support/payload-keys.ts';
import { eventually } from '../support/temporal.ts';
import {
  advanceClock,
  createBillingHarness,
  created,
  invoicesOf,
  issuedInvoices,
  newClock,
  newCustomer,
  storedInvoiceHtml,
  subscribe,
  usageCharge,
  type BillingHarness,
  type Invoice,
  type Money,
  type Sub,
} from '../support/billing-harness.ts';

let h: BillingHarness;
let clockId: string;
let thresholdSub: Sub; // billingThreshold 500 (EUR 5.00)
let twinSub: Sub; // the same plan, no threshold
let patchedSub: Sub; // given a threshold by PATCH
let defaultSub: Sub; // the plan's default threshold
const customers: Record<string, string> = {};

const JAN = (day: number) => `2027-01-${String(day).padStart(2, '0')}T10:00:00Z`;
const PERIOD_END = '2027-02-01T09:00:00.000Z';

interface Balance {
  charges: { metricCode: string | null; amount: Money }[];
}

let batch = 0;
/** `count` API calls for each customer named, in one batch. */
async function ingest(names: string[], count: number, day: number) {
  batch += 1;
  const events = names.flatMap((name) =>
    Array.from({ length: count }, (_, i) => ({
      transactionId: `b${batch}-${name}-${i}`,
      customerId: customers[name]!,
      metricCode: 'api_calls',
      timestamp: JAN(day),
    })),
  );
  const response = await h.post('/v1/events', { events });
  expect(response.statusCode, response.body).toBe(200);
  // The balance answers once it has read every notified batch.
  for (const name of names) await h.get<Balance>(`/v1/customers/${customers[name]}/balance`);
}

const usageOf = async (name: string) =>
  (await h.get<Balance>(`/v1/customers/${customers[name]}/balance`)).charges.find(
    (c) => c.metricCode === 'api_calls',
  )!.amount.amount;

const interims = (invoices: Invoice[]) =>
  invoices.filter(
    (i) => (i as Invoice & { billingReason: string }).billingReason === 'subscription_threshold',
  );

/** A monthly EUR plan: a base fee of 10.00 in advance, and calls at 10 up to `upTo`, then 5. */
async function postCallsPlan(code: string, model: 'graduated' | 'volume', upTo: string) {
  const tiers = [
    { upTo, unitPrice: '10' },
    { upTo: null, unitPrice: '5' },
  ];
  created(
    await h.post('/v1/plans', {
      code,
      name: code,
      currency: 'EUR',
      interval: 'month',
      charges: [
        { key: 'base', type: 'flat', description: 'Base', billing: 'advance', amount: '1000' },
        usageCharge('calls', 'api_calls', { model, tiers }),
      ],
    }),
  );
}

beforeAll(async () => {
  h = await createBillingHarness();
  clockId = await newClock(h, '2027-01-01T09:00:00Z');
  created(
    await h.post('/v1/metrics', { code: 'api_calls', name: 'API calls', aggregation: 'count' }),
  );
  // Graduated: the first 100 calls at 10, the rest at 5, over the whole period.
  await postCallsPlan('metered', 'graduated', '100');
  // The same charges with a default threshold of EUR 7.00 for its subscriptions.
  const plan = await h.get<{ charges: object[] }>('/v1/plans/metered');
  const withDefault = created<{ billingThreshold: number }>(
    await h.post('/v1/plans', {
      code: 'metered-threshold',
      name: 'Metered, billed at EUR 7.00',
      currency: 'EUR',
      interval: 'month',
      charges: plan.charges,
      billingThreshold: 700,
    }),
  );
  expect(withDefault.billingThreshold).toBe(700);
  for (const name of ['threshold', 'twin', 'patched', 'default'])
    customers[name] = await newCustomer(h, clockId);
  thresholdSub = await subscribe(h, {
    customerId: customers.threshold,
    planCode: 'metered',
    billingThreshold: 500,
  });
  twinSub = await subscribe(h, { customerId: customers.twin, planCode: 'metered' });
  patchedSub = await subscribe(h, { customerId: customers.patched, planCode: 'metered' });
  defaultSub = await subscribe(h, { customerId: customers.default, planCode: 'metered-threshold' });
  await advanceClock(h, clockId, '2027-01-15T12:00:00Z');
  await Promise.all(
    [thresholdSub, twinSub, patchedSub, defaultSub].map((s) => issuedInvoices(h, s.id, 1)),
  );
}, 180_000);

afterAll(async () => {
  await h?.close();
});

describe('threshold billing', () => {
  it('shows the threshold, and refuses a bad one naming the field', async () => {
    const sub = await h.get<Sub & { billingThreshold: number | null }>(
      `/v1/subscriptions/${thresholdSub.id}`,
    );
    expect(sub.billingThreshold).toBe(500);
    for (const bad of [0, -5, 12.5, 'lots']) {
      const response = await h.api.request({
        method: 'PATCH',
        url: `/v1/subscriptions/${patchedSub.id}`,
        payload: { billingThreshold: bad },
      });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.body).toContain('billingThreshold');
    }
    const create = await h.post('/v1/subscriptions', {
      customerId: customers.patched,
      planCode: 'metered',
      billingThreshold: 0,
    });
    expect(create.statusCode).toBe(400);
    expect(create.body).toContain('billingThreshold');
  });

  it('issues nothing below the threshold', async () => {
    await ingest(['threshold', 'twin', 'patched'], 40, 10); // 400 each
    expect(await usageOf('threshold')).toBe(400);
    expect(await invoicesOf(h, thresholdSub.id)).toHaveLength(1);
  });

  it('bills a threshold PATCHed below the usage so far at once', async () => {
    const response = await h.api.request({
      method: 'PATCH',
      url: `/v1/subscriptions/${patchedSub.id}`,
      payload: { billingThreshold: 300 },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<{ billingThreshold: number }>().billingThreshold).toBe(300);
    const invoices = await issuedInvoices(h, patchedSub.id, 2);
    expect(interims(invoices).map((i) => i.subtotal.amount)).toEqual([400]);
  });

  it('gives a subscription its plan’s default threshold', async () => {
    const sub = await h.get<{ billingThreshold: number }>(`/v1/subscriptions/${defaultSub.id}`);
    expect(sub.billingThreshold).toBe(700);
    await ingest(['default'], 80, 11); // 800 ≥ 700
    const invoices = await issuedInvoices(h, defaultSub.id, 2);
    expect(interims(invoices).map((i) => i.subtotal.amount)).toEqual([800]);
  });

  it('issues exactly one interim invoice when the usage crosses it', async () => {
    await ingest(['threshold', 'twin'], 20, 12); // 600 each: crossed
    const invoices = await issuedInvoices(h, thresholdSub.id, 2);
    const [interim] = interims(invoices);
    expect(interim).toMatchObject({
      billingReason: 'subscription_threshold',
      subtotal: { amount: 600 },
      tax: { amount: 120 },
      total: { amount: 720 },
    });
    // More batches and re-reads below the next crossing: still one, and the balance shows
    // only what is unbilled now.
    await ingest(['threshold', 'twin'], 10, 13); // 700: 100 unbilled
    expect(await usageOf('threshold')).toBe(100);
    expect(await usageOf('twin')).toBe(700);
    // A repeated request for the same interim invoice (a retry, a crossing seen twice) finds it.
    const handle = h.client.workflow.getHandle(subscriptionWorkflowId(thresholdSub.id));
    const again = await handle.executeUpdate(thresholdInvoiceUpdate, {
      args: [{ periodEnd: PERIOD_END, sequence: 1, unbilled: 600, currency: 'EUR' }],
    });
    expect(again).toMatchObject({ outcome: 'issued', invoiceId: interim!.id });
    expect(interims(await invoicesOf(h, thresholdSub.id))).toHaveLength(1);
    // The document says why it was issued, in the customer's language.
    const { locale } = await h.get<{ locale: string }>(`/v1/customers/${customers.threshold}`);
    const html = (await storedInvoiceHtml(h, interim!.id)).content;
    expect(html).toContain(translate(locale, 'thresholds.interimInvoice'));
    // Emailed once, as every invoice.
    const emails = await eventually('the interim invoice emailed', async () => {
      const rows = await h.api.db
        .selectFrom('email_deliveries')
        .select(['kind'])
        .where('invoice_id', '=', interim!.id)
        .execute();
      return rows.length > 0 ? rows : undefined;
    });
    expect(emails).toEqual([{ kind: 'invoice_issued' }]);
    // The Temporal UI says why (decrypted, as the UI does through the codec endpoint).
    const codec = createEncryptionCodec(TEST_PAYLOAD_KEYS);
    const summaries = await Promise.all(
      ((await handle.fetchHistory()).events ?? [])
        .filter((e) => e.activityTaskScheduledEventAttributes && e.userMetadata?.summary)
        .map(async (e) => {
          const [summary] = await codec.decode([e.userMetadata!.summary!]);
          return Buffer.from(summary?.data ?? []).toString('utf8');
        }),
    );
    // Twice: the crossing, and the repeated request above (which found the invoice).
    expect(
      summaries.filter((t) => /Interim invoice #1 .*billing threshold reached/.test(t)),
    ).toHaveLength(2);
  });

  it('issues a second interim invoice for the new usage only when it crosses again', async () => {
    await ingest(['threshold', 'twin'], 80, 14); // 150 calls: 1000 + 250 = 1250; 650 unbilled
    const invoices = await issuedInvoices(h, thresholdSub.id, 3);
    const amounts = interims(invoices).map((i) => i.subtotal.amount);
    expect(amounts.sort((a, b) => a - b)).toEqual([600, 650]);
    await ingest(['threshold', 'twin'], 30, 14); // 180 calls: 1400; 150 unbilled
    expect(await usageOf('threshold')).toBe(150);
    expect(interims(await invoicesOf(h, thresholdSub.id))).toHaveLength(2);
  });

  it('bills the rest at the period end: the sum equals the twin’s, to the minor unit', async () => {
    await advanceClock(h, clockId, '2027-02-01T12:00:00Z');
    const withThreshold = await issuedInvoices(h, thresholdSub.id, 4);
    const twin = await issuedInvoices(h, twinSub.id, 2);
    const periodEnd = withThreshold.at(-1)!;
    const usageLine = periodEnd.lines.find((l) => l.description.includes('calls'))!;
    expect(usageLine.amount.amount).toBe(150);
    const numbers = interims(withThreshold).map((i) => i.number!);
    for (const number of numbers) expect(usageLine.description).toContain(number);
    const january = (invoices: Invoice[]) => invoices.slice(1);
    const sum = (invoices: Invoice[], pick: (i: Invoice) => Money) =>
      invoices.reduce((t, i) => t + pick(i).amount, 0);
    const twinUsage = twin.at(-1)!.lines.find((l) => l.description.includes('calls'))!;
    expect(twinUsage.amount.amount).toBe(1400);
    expect(sum(january(withThreshold), (i) => i.subtotal)).toBe(
      sum(january(twin), (i) => i.subtotal),
    );
    expect(sum(january(withThreshold), (i) => i.total)).toBe(sum(january(twin), (i) => i.total));
    expect(sum(january(withThreshold), (i) => i.total)).toBe(2880);
  });
});

describe('threshold billing with a price that falls as the volume grows', () => {
  // Volume pricing: up to 1,000 calls at 10 each, above that every call at 5. The threshold
  // bills 1,000 calls (EUR 100.00); the period ends at 1,500 (EUR 75.00): EUR 25.00 overbilled.
  let volumeSub: Sub;
  let volumeTwinSub: Sub;

  beforeAll(async () => {
    const clock = await newClock(h, '2027-01-01T09:00:00Z');
    await postCallsPlan('volume', 'volume', '1000');
    for (const name of ['volume', 'volumeTwin']) customers[name] = await newCustomer(h, clock);
    volumeSub = await subscribe(h, {
      customerId: customers.volume,
      planCode: 'volume',
      billingThreshold: 10_000,
    });
    volumeTwinSub = await subscribe(h, { customerId: customers.volumeTwin, planCode: 'volume' });
    await advanceClock(h, clock, '2027-01-15T12:00:00Z');
    await Promise.all([volumeSub, volumeTwinSub].map((s) => issuedInvoices(h, s.id, 1)));
    for (const day of [10, 11])
      for (const name of ['volume', 'volumeTwin']) await ingest([name], 500, day);
    await issuedInvoices(h, volumeSub.id, 2);
    for (const name of ['volume', 'volumeTwin']) await ingest([name], 500, 12);
    await advanceClock(h, clock, '2027-02-01T12:00:00Z');
  }, 240_000);

  it('credits the interim invoice what it billed beyond the final rating', async () => {
    const invoices = await issuedInvoices(h, volumeSub.id, 3);
    const twin = await issuedInvoices(h, volumeTwinSub.id, 2);
    const [interim] = interims(invoices);
    expect(interim).toMatchObject({
      subtotal: { amount: 10_000 },
      tax: { amount: 2_000 },
      total: { amount: 12_000 },
    });
    // The period end bills nothing more for the calls, naming the interim invoice ...
    const periodEnd = invoices.at(-1)!;
    const calls = periodEnd.lines.find((l) => l.description.includes('calls'))!;
    expect(calls.amount.amount).toBe(0);
    expect(calls.description).toContain(interim!.number!);
    expect(periodEnd.total.amount).toBeGreaterThanOrEqual(0);
    // ... and a credit note on the interim invoice gives back EUR 25.00 + VAT at its rate.
    const notes = await h.get<{
      data: { reason: string; memo: string; subtotal: Money; tax: Money; total: Money }[];
    }>(`/v1/invoices/${interim!.id}/credit-notes`);
    expect(notes.data).toHaveLength(1);
    expect(notes.data[0]).toMatchObject({
      reason: 'correction',
      subtotal: { amount: 2_500 },
      tax: { amount: 500 },
      total: { amount: 3_000 },
    });
    expect(notes.data[0]!.memo).toContain(interim!.number!);
    const credited = await h.get<{ amountCredited: Money; amountDue: Money }>(
      `/v1/invoices/${interim!.id}`,
    );
    expect(credited.amountCredited.amount).toBe(3_000);
    expect(credited.amountDue.amount).toBe(9_000);
    // The twin without a threshold is billed EUR 75.00 + VAT for the calls: the same in all.
    const twinCalls = twin.at(-1)!.lines.find((l) => l.description.includes('calls'))!;
    expect(twinCalls.amount.amount).toBe(7_500);
    const january = (list: Invoice[]) => list.slice(1).reduce((t, i) => t + i.total.amount, 0);
    expect(january(invoices) - 3_000).toBe(january(twin));
    expect(january(twin)).toBe(10_200); // (10.00 base + 75.00 calls) × 1.2
    // Nothing else was issued: the interim, the period-end and the first invoice.
    expect(await invoicesOf(h, volumeSub.id)).toHaveLength(3);
  });
});
