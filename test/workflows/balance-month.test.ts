// Issue #14's worked example, from running code: one French customer (VAT 20 %) over March 2027
// on a test clock, through the public API with the real subscription, balance, expiry and
// invoice workflows. A usage plan with a billing threshold; credit bought (its invoice paid, then
// granted) and promotional credit that expires mid-month; a usage spend alert crossed once; an
// interim invoice when the unbilled usage reaches the threshold, paid from the wallet; and the
// period-end invoice that bills only the rest. Every figure is asserted in minor units, and the
// month is printed as the table docs/BALANCE.md ("Worked example") shows.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { money, toMajorUnitString } from '../../domain/core/money.ts';
import { listWebhookEvents } from '../../db/repositories/webhook-events.ts';
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
  type Invoice,
  type Money,
} from '../support/billing-harness.ts';
import { eventually } from '../support/temporal.ts';

const OPERATOR = 'ops@seller.test';

interface BilledInvoice extends Invoice {
  status: string;
  billingReason: string;
  amountPaid: Money;
  amountDue: Money;
}
interface Wallet {
  id: string;
  balance: Money;
  grants: { id: string; status: string; remaining: Money }[];
}
interface Movement {
  kind: string;
  grantId: string;
  amount: Money;
  invoiceId: string | null;
}
interface Balance {
  periodStart: string;
  periodEnd: string;
  charges: { metricCode: string | null; quantity: string; amount: Money }[];
  ratedAmount: Money;
  total: Money;
  walletBalance: Money;
  amountAfterCredit: Money;
  spendAlerts: { alertId: string; state: string; usedUnits: string | null }[];
}
interface Entitlement {
  allowed: boolean;
  remainingUnits: string | null;
  remainingCredit: Money | null;
}
type Row = Record<'date' | 'event' | 'amount' | 'wallet', string>;

let h: BillingHarness;
beforeAll(async () => {
  h = await createBillingHarness({ env: { BILLWRIGHT_OPERATOR_EMAIL: OPERATOR } });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

const MONTHLY_FEE = { billing: 'advance', amount: '2000' };
const CALLS = { description: 'API calls' };
const eur = (minor: number) => toMajorUnitString(money(minor, 'EUR'));
const MARCH = (day: number, hour = 12) =>
  `2027-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00.000Z`;

test('a month with a purchase, an expiring grant, an alert, a threshold invoice and the period end', async () => {
  const clock = await newClock(h, '2027-03-01T09:00:00.000Z');
  created(
    await h.post('/v1/metrics', { code: 'api_calls', name: 'API calls', aggregation: 'count' }),
  );
  // EUR 20.00 a month in advance, and EUR 0.10 per API call in arrears.
  created(
    await h.post('/v1/plans', {
      code: 'usage-pro',
      name: 'Usage Pro',
      currency: 'EUR',
      interval: 'month',
      charges: [
        { key: 'platform', type: 'flat', description: 'Platform', ...MONTHLY_FEE },
        usageCharge('calls', 'api_calls', { model: 'per_unit', unitPrice: '10' }, CALLS),
      ],
    }),
  );
  const customerId = await newCustomer(h, clock);
  const alert = created<{ id: string }>(
    await h.post('/v1/spend-alerts', {
      customerId,
      name: 'Hundred calls',
      kind: 'usage',
      metricCode: 'api_calls',
      units: '100',
    }),
  );
  // An interim invoice once EUR 30.00 of usage is unbilled.
  const sub = await subscribe(h, { customerId, planCode: 'usage-pro', billingThreshold: 3000 });

  const rows: Row[] = [];
  let walletId = ''; // opened on 2 March
  const wallet = () => h.get<Wallet>(`/v1/wallets/${walletId}`);
  const walletBalance = async () => (walletId ? (await wallet()).balance.amount : 0);
  const note = async (date: string, event: string, amount: number) =>
    rows.push({
      date: date.slice(0, 10),
      event,
      amount: eur(amount),
      wallet: eur(await walletBalance()),
    });
  const invoice = (id: string) => h.get<BilledInvoice>(`/v1/invoices/${id}`);
  const balance = () => h.get<Balance>(`/v1/customers/${customerId}/balance`);
  const entitlement = () =>
    h.get<Entitlement>(`/v1/customers/${customerId}/entitlement?metric=api_calls`);
  const usageOf = (read: Balance) =>
    read.charges.find((c) => c.metricCode === 'api_calls')!.amount.amount;
  const usageLine = (i: Invoice) => i.lines.find((l) => l.description.startsWith('API calls'))!;
  let batch = 0;
  const ingest = async (count: number, at: string) => {
    batch += 1;
    const response = await h.post('/v1/events', {
      events: Array.from({ length: count }, (_, i) => ({
        transactionId: `march-${batch}-${i}`,
        customerId,
        metricCode: 'api_calls',
        timestamp: at,
      })),
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json<{ accepted: number }>().accepted).toBe(count);
  };
  const pay = async (invoiceId: string, amount: number, reference: string) => {
    const paid = await h.post(`/v1/invoices/${invoiceId}/payments`, {
      amount,
      method: 'bank transfer',
      reference,
    });
    expect(paid.statusCode, paid.body).toBeLessThan(300);
  };

  // 1 March: the period opens with March's platform fee, EUR 20.00 + VAT 4.00, paid by transfer.
  await advanceClock(h, clock, MARCH(2, 10));
  const [opening] = await issuedInvoices(h, sub.id, 1);
  expect(await invoice(opening!.id)).toMatchObject({
    billingReason: 'subscription_cycle',
    period: { start: '2027-03-01T09:00:00.000Z', end: '2027-04-01T08:00:00.000Z' },
    subtotal: { amount: 2000 },
    tax: { amount: 400 },
    total: { amount: 2400 },
  });
  await note(
    opening!.issuedAt!,
    'Invoice: March platform fee (20.00 + VAT), paid by wire',
    opening!.total.amount,
  );
  await pay(opening!.id, 2400, 'wire-march');
  expect(await invoice(opening!.id)).toMatchObject({ status: 'paid', amountDue: { amount: 0 } });

  // 2 March: EUR 120.00 of credit bought: an exempt invoice, granted once it is paid.
  walletId = created<{ id: string }>(
    await h.post(`/v1/customers/${customerId}/wallets`, { name: 'Prepaid' }),
  ).id;
  const bought = created<{ id: string; status: string; invoiceId: string }>(
    await h.post(`/v1/wallets/${walletId}/grants`, { kind: 'purchased', amount: 12000 }),
  );
  expect(bought.status).toBe('pending');
  const sale = await invoice(bought.invoiceId);
  expect(sale).toMatchObject({ status: 'open', total: { amount: 12000 }, tax: { amount: 0 } });
  expect(await walletBalance()).toBe(0);
  await note(
    MARCH(2, 10),
    `Invoice: ${eur(sale.total.amount)} of credit (exempt, no VAT)`,
    sale.total.amount,
  );
  await pay(sale.id, 12000, 'wire-credit');
  expect(await invoice(sale.id)).toMatchObject({ status: 'paid', amountDue: { amount: 0 } });
  expect(await walletBalance()).toBe(12000);
  await note(
    MARCH(2, 10),
    `Credit invoice paid: ${eur(await walletBalance())} granted`,
    await walletBalance(),
  );
  const promo = created<{ id: string }>(
    await h.post(`/v1/wallets/${walletId}/grants`, {
      kind: 'promotional',
      amount: 1000,
      reason: 'spring welcome offer',
      expiresAt: '2027-03-10T00:00:00.000Z',
    }),
  );
  expect(await walletBalance()).toBe(13000);
  await note(MARCH(2, 10), 'Promotional credit, expires 10 March', 1000);

  // 5 March: 120 calls cross the 100-call alert: one webhook event, one email to the operator.
  await advanceClock(h, clock, MARCH(5));
  await ingest(120, MARCH(5, 10));
  const early = await balance();
  expect(early).toMatchObject({
    ratedAmount: { amount: 3200 }, // 120 × 0.10 + April's platform fee in advance
    total: { amount: 3840 },
    walletBalance: { amount: 13000 },
    amountAfterCredit: { amount: 0 },
  });
  expect(early.spendAlerts).toEqual([
    expect.objectContaining({ alertId: alert.id, state: 'crossed', usedUnits: '120' }),
  ]);
  // 13000 − 3840 left; each call costs 10 + 20 % VAT.
  expect(await entitlement()).toMatchObject({
    allowed: true,
    remainingCredit: { amount: 9160 },
    remainingUnits: '763',
  });
  await note(
    MARCH(5),
    `120 API calls: alert "Hundred calls" ${early.spendAlerts[0]!.state}`,
    usageOf(early),
  );
  const triggered = async () =>
    (await listWebhookEvents(h.api.db)).filter((e) => e.type === 'spend_alert.triggered');
  const operatorMail = () =>
    h.api.db
      .selectFrom('outbox_messages')
      .select(['subject'])
      .where(({ eb, fn }) =>
        eb(fn('array_to_string', ['to_addresses', eb.val(',')]), '=', OPERATOR),
      )
      .execute();
  expect(await triggered()).toHaveLength(1);
  expect(await operatorMail()).toEqual([
    { subject: expect.stringContaining('Spend alert “Hundred calls”') as string },
  ]);

  // 11 March: the promotional grant's timer has fired: 10.00 expired, unused.
  await advanceClock(h, clock, MARCH(11));
  const afterExpiry = await wallet();
  expect(afterExpiry.grants.find((g) => g.id === promo.id)).toMatchObject({
    status: 'expired',
    remaining: { amount: 0 },
  });
  expect(afterExpiry.balance.amount).toBe(12000);
  const movements = async () =>
    (await h.get<{ data: Movement[] }>(`/v1/wallets/${walletId}/transactions?limit=100`)).data;
  const expiries = (await movements()).filter((m) => m.kind === 'expiry');
  expect(expiries).toEqual([
    expect.objectContaining({ grantId: promo.id, amount: { amount: -1000, currency: 'EUR' } }),
  ]);
  await note('2027-03-10', 'Promotional credit expired (its timer)', expiries[0]!.amount.amount);

  // 15 March: 200 more calls: 320 × 0.10 = 32.00 unbilled ≥ 30.00: one interim invoice, paid
  // from the purchased credit.
  await advanceClock(h, clock, MARCH(15));
  await ingest(200, MARCH(15, 10));
  const withInterim = await issuedInvoices(h, sub.id, 2);
  const interim = await invoice(withInterim[1]!.id);
  expect(interim).toMatchObject({
    billingReason: 'subscription_threshold',
    status: 'paid',
    subtotal: { amount: 3200 },
    tax: { amount: 640 },
    total: { amount: 3840 },
    amountPaid: { amount: 3840 },
    amountDue: { amount: 0 },
  });
  expect(interim.lines.map((l) => l.amount.amount)).toEqual([3200]);
  expect(await walletBalance()).toBe(8160);
  expect(
    (await movements()).filter((m) => m.kind === 'consumption' && m.invoiceId === interim.id),
  ).toEqual([
    expect.objectContaining({ grantId: bought.id, amount: { amount: -3840, currency: 'EUR' } }),
  ]);
  await note(
    MARCH(15),
    `200 API calls: interim invoice, ${eur(interim.subtotal.amount)} + VAT, from credit`,
    interim.total.amount,
  );
  // The balance now shows only what is unbilled: no usage, April's fee.
  const afterInterim = await eventually('the balance after the interim invoice', async () => {
    const read = await balance();
    return read.walletBalance.amount === 8160 ? read : undefined;
  });
  expect(afterInterim).toMatchObject({ ratedAmount: { amount: 2000 }, total: { amount: 2400 } });

  // 25 March: 150 more calls: 15.00 unbilled, under the threshold: no second interim invoice.
  await advanceClock(h, clock, MARCH(25));
  await ingest(150, MARCH(25, 10));
  const before = await balance();
  expect(before.charges.find((c) => c.metricCode === 'api_calls')).toMatchObject({
    quantity: '470',
    amount: { amount: 1500 },
  });
  expect(before).toMatchObject({
    ratedAmount: { amount: 3500 },
    total: { amount: 4200 },
    walletBalance: { amount: 8160 },
    amountAfterCredit: { amount: 0 },
  });
  expect(await entitlement()).toMatchObject({
    allowed: true,
    remainingCredit: { amount: 3960 },
    remainingUnits: '330',
  });
  expect(await issuedInvoices(h, sub.id, 2)).toHaveLength(2);
  await note(
    MARCH(25),
    `150 API calls: ${eur(usageOf(before))} unbilled, under the threshold`,
    usageOf(before),
  );

  // 1 April: the period-end invoice bills the rest: 470 calls less the 32.00 already billed.
  await advanceClock(h, clock, '2027-04-01T12:00:00.000Z');
  const all = await issuedInvoices(h, sub.id, 3);
  const closing = await invoice(all[2]!.id);
  expect(closing).toMatchObject({
    billingReason: 'subscription_cycle',
    status: 'paid',
    subtotal: { amount: 3500 },
    tax: { amount: 700 },
    total: { amount: 4200 },
    amountPaid: { amount: 4200 },
    amountDue: { amount: 0 },
  });
  const rest = usageLine(closing);
  expect(rest.amount.amount).toBe(1500);
  expect(rest.description).toContain(interim.number!);
  const fee = closing.lines.find((l) => l.description.startsWith('Platform'))!;
  expect(fee.amount.amount).toBe(2000);
  // Interim plus period-end usage is the whole period's usage, rated once: 470 × 0.10.
  expect(usageLine(interim).amount.amount + rest.amount.amount).toBe(470 * 10);
  expect(await walletBalance()).toBe(3960);
  await note(
    closing.issuedAt!,
    `Period-end invoice: ${eur(fee.amount.amount)} + ${eur(rest.amount.amount)} + VAT, from credit`,
    closing.total.amount,
  );

  // After: a new period, usage back at zero, the credit left buys April's calls.
  const after = await eventually('the April balance', async () => {
    const read = await balance();
    return read.periodStart === '2027-04-01T08:00:00.000Z' && read.walletBalance.amount === 3960
      ? read
      : undefined;
  });
  expect(after).toMatchObject({ ratedAmount: { amount: 2000 }, total: { amount: 2400 } });
  expect(after.spendAlerts).toEqual([expect.objectContaining({ state: 'under', usedUnits: '0' })]);
  expect(await entitlement()).toMatchObject({
    allowed: true,
    remainingCredit: { amount: 1560 },
    remainingUnits: '130',
  });

  // The alert fired once all month; the ledger: the promotional expiry posts nothing (it was
  // never money); the bought credit left, 39.60, is the prepaid-credit liability.
  expect(await triggered()).toHaveLength(1);
  expect(await operatorMail()).toHaveLength(1);
  const journal = await h.get<{ data: { kind: string }[] }>('/v1/ledger/journal?currency=EUR');
  expect(journal.data.filter((l) => l.kind === 'wallet_credit_expired')).toEqual([]);
  const trial = await h.get<{
    accounts: { code: string; closing: number }[];
    totals: { debit: number; credit: number };
  }>('/v1/ledger/trial-balance?currency=EUR');
  expect(trial.totals.debit).toBe(trial.totals.credit);
  expect(trial.accounts.find((a) => a.code === '2250')?.closing).toBe(-3960);

  // The closing note's worked example (docs/BALANCE.md), as a Markdown table.
  const header: Row = { date: 'Date', event: 'Event', amount: 'EUR', wallet: 'Wallet' };
  const width = (key: keyof Row) => Math.max(...[header, ...rows].map((r) => r[key].length));
  const line = (r: Row) =>
    `| ${r.date.padEnd(width('date'))} | ${r.event.padEnd(width('event'))} | ` +
    `${r.amount.padStart(width('amount'))} | ${r.wallet.padStart(width('wallet'))} |`;
  const rule = `| ${'-'.repeat(width('date'))} | ${'-'.repeat(width('event'))} | ${'-'.repeat(width('amount') - 1)}: | ${'-'.repeat(width('wallet') - 1)}: |`;
  console.log(['', line(header), rule, ...rows.map(line)].join('\n'));
  expect(rows.map((r) => [r.date, r.event, r.amount, r.wallet])).toEqual([
    ['2027-03-01', 'Invoice: March platform fee (20.00 + VAT), paid by wire', '24.00', '0.00'],
    ['2027-03-02', 'Invoice: 120.00 of credit (exempt, no VAT)', '120.00', '0.00'],
    ['2027-03-02', 'Credit invoice paid: 120.00 granted', '120.00', '120.00'],
    ['2027-03-02', 'Promotional credit, expires 10 March', '10.00', '130.00'],
    ['2027-03-05', '120 API calls: alert "Hundred calls" crossed', '12.00', '130.00'],
    ['2027-03-10', 'Promotional credit expired (its timer)', '-10.00', '120.00'],
    ['2027-03-15', '200 API calls: interim invoice, 32.00 + VAT, from credit', '38.40', '81.60'],
    ['2027-03-25', '150 API calls: 15.00 unbilled, under the threshold', '15.00', '81.60'],
    ['2027-04-01', 'Period-end invoice: 20.00 + 15.00 + VAT, from credit', '42.00', '39.60'],
  ]);
}, 600_000);
