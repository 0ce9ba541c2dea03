// Wallets through the public API on the real workflows and a test clock: credit bought through
// an invoice (granted once, when paid), promotional credit that expires when the clock passes
// its expiry (the grant's durable timer), and a renewal invoice that takes promotional credit
// before tax and purchased credit after it, wallet by wallet in priority order, shows both on its
// document, and leaves the ledger balanced with the unused prepaid credit as a liability.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { postCustomer } from '../support/builders/customers.ts';
import {
  advanceClock,
  createBillingHarness,
  created,
  issuedInvoices,
  newClock,
  storedInvoiceHtml,
  subscribe,
  type BillingHarness,
} from '../support/billing-harness.ts';

interface Money {
  amount: number;
  currency: string;
}
interface Wallet {
  id: string;
  balance: Money;
  pending: Money;
}
interface Grant {
  id: string;
  status: string;
  remaining: Money;
  invoiceId: string | null;
}
interface Movement {
  kind: string;
  grantId: string;
  amount: Money;
  invoiceId: string | null;
}
interface Invoice {
  id: string;
  status: string;
  total: Money;
  amountDue: Money;
  amountPaid: Money;
  discountTotal: Money;
  tax: Money;
}

let h: BillingHarness;
beforeAll(async () => {
  h = await createBillingHarness();
  created(
    await h.post('/v1/plans', {
      code: 'pro-monthly',
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

const movements = async (walletId: string) =>
  (await h.get<{ data: Movement[] }>(`/v1/wallets/${walletId}/transactions?limit=100`)).data;

test('bought credit is granted once paid; promotional credit expires; a renewal draws both', async () => {
  const clock = await newClock(h, '2027-01-01T08:00:00.000Z');
  const customerId = await postCustomer(h.api, { name: 'Lutèce SAS', testClockId: clock });
  const sub = await subscribe(h, { customerId, planCode: 'pro-monthly' });

  // Two wallets: priority 1 drawn before priority 2.
  const first = created<Wallet>(
    await h.post(`/v1/customers/${customerId}/wallets`, { name: 'Prepaid', priority: 1 }),
  );
  const second = created<Wallet>(
    await h.post(`/v1/customers/${customerId}/wallets`, {
      name: 'Top-up',
      priority: 2,
      planCodes: ['pro-monthly'],
    }),
  );
  // Bad input names its field.
  const unknownPlan = await h.post(`/v1/customers/${customerId}/wallets`, {
    name: 'x',
    planCodes: ['nope'],
  });
  expect(unknownPlan.statusCode).toBe(422);
  expect(unknownPlan.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('planCodes[0]');
  const noReason = await h.post(`/v1/wallets/${second.id}/grants`, {
    kind: 'promotional',
    amount: 100,
  });
  expect(noReason.statusCode).toBe(422);
  expect(noReason.json<{ errors: { field: string }[] }>().errors[0]!.field).toBe('reason');

  // Purchased credit: an invoice for its price, granted only once that invoice is paid.
  const bought = created<Grant>(
    await h.post(`/v1/wallets/${first.id}/grants`, { kind: 'purchased', amount: 2000 }),
  );
  const boughtMore = created<Grant>(
    await h.post(`/v1/wallets/${second.id}/grants`, { kind: 'purchased', amount: 3000 }),
  );
  expect(bought.status).toBe('pending');
  const sale = await h.get<Invoice>(`/v1/invoices/${bought.invoiceId}`);
  expect(sale).toMatchObject({ status: 'open', total: { amount: 2000 }, tax: { amount: 0 } });
  expect((await h.get<Wallet>(`/v1/wallets/${first.id}`)).balance.amount).toBe(0);
  for (const [grant, reference] of [
    [bought, 'wire-1'],
    [bought, 'wire-1'], // the same payment again: nothing more is granted
    [boughtMore, 'wire-2'],
  ] as const) {
    const paid = await h.post(`/v1/invoices/${grant.invoiceId}/payments`, {
      amount: grant === bought ? 2000 : 3000,
      method: 'bank transfer',
      reference,
    });
    expect(paid.statusCode, paid.body).toBeLessThan(300);
  }
  expect((await h.get<Wallet>(`/v1/wallets/${first.id}`)).balance.amount).toBe(2000);
  expect((await movements(first.id)).filter((m) => m.kind === 'grant')).toHaveLength(1);

  // Promotional credit: one that expires on 20 January, one that does not.
  const goodwill = created<Grant>(
    await h.post(`/v1/wallets/${second.id}/grants`, {
      kind: 'promotional',
      amount: 1500,
      reason: 'goodwill after the outage',
      expiresAt: '2027-01-20T00:00:00.000Z',
    }),
  );
  created<Grant>(
    await h.post(`/v1/wallets/${second.id}/grants`, {
      kind: 'promotional',
      amount: 1000,
      reason: 'welcome offer',
    }),
  );
  expect((await h.get<Wallet>(`/v1/wallets/${second.id}`)).balance.amount).toBe(5500);

  // The clock passes the expiry: the grant's timer expires what is left of it.
  await advanceClock(h, clock, '2027-01-21T00:00:00.000Z');
  const afterExpiry = await h.get<Wallet & { grants: Grant[] }>(`/v1/wallets/${second.id}`);
  expect(afterExpiry.grants.find((g) => g.id === goodwill.id)).toMatchObject({
    status: 'expired',
    remaining: { amount: 0 },
  });
  expect(afterExpiry.balance.amount).toBe(4000);
  expect((await movements(second.id)).filter((m) => m.kind === 'expiry')).toEqual([
    expect.objectContaining({ grantId: goodwill.id, amount: { amount: -1500, currency: 'EUR' } }),
  ]);

  // The February renewal: EUR 49.00 less EUR 10.00 promotional credit before tax, VAT 20 % on
  // EUR 39.00 = EUR 7.80, total EUR 46.80 paid by prepaid credit: EUR 20.00 from the first
  // wallet (priority 1), EUR 26.80 from the second.
  await advanceClock(h, clock, '2027-02-01T12:00:00.000Z');
  const [, renewal] = await issuedInvoices(h, sub.id, 2);
  const invoice = await h.get<Invoice>(`/v1/invoices/${renewal!.id}`);
  expect(invoice).toMatchObject({
    status: 'paid',
    discountTotal: { amount: 1000 },
    tax: { amount: 780 },
    total: { amount: 4680 },
    amountPaid: { amount: 4680 },
    amountDue: { amount: 0 },
  });
  const used = [...(await movements(first.id)), ...(await movements(second.id))].filter(
    (m) => m.kind === 'consumption' && m.invoiceId === invoice.id,
  );
  expect(used.map((m) => m.amount.amount).sort()).toEqual([-1000, -2000, -2680].sort());
  expect((await h.get<Wallet>(`/v1/wallets/${first.id}`)).balance.amount).toBe(0);
  expect((await h.get<Wallet>(`/v1/wallets/${second.id}`)).balance.amount).toBe(320);

  // The document shows each kind of credit on its own row, in the customer's language (fr-FR).
  const html = (await storedInvoiceHtml(h, invoice.id)).content;
  expect(html).toContain('Crédit promotionnel');
  expect(html).toContain('Réglé avec le crédit prépayé');

  // The ledger balances, and the prepaid credit left (EUR 3.20) is a liability.
  const trial = await h.get<{
    accounts: { code: string; closing: number }[];
    totals: { closing: number; debit: number; credit: number };
  }>('/v1/ledger/trial-balance?currency=EUR');
  expect(trial.totals.debit).toBe(trial.totals.credit);
  expect(trial.accounts.find((a) => a.code === '2250')?.closing).toBe(-320);
}, 300_000);
