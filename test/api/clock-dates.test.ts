// Every date on a clocked customer comes from the clock: a worked example through the API on a
// real database, for a customer whose clock stands in 2027 while the machine's real time does
// not. Finalizing, a payment without paidAt, its receipt, a refund credit note, a dispute and
// its resolution, a void and its credit note, a write-off, a full payment and an estimate
// without periodStart are each dated at the clock's instant of the moment they happen, and the
// documents number in the clock's own TEST- series.
//
// No worker runs here: an advance is started through the API (a recording Temporal accepts it)
// and then finished as the walk's last activity finishes it (finishAdvance), which is all a walk
// does for a customer with nothing billed in between. The collection workflow's steps that
// matter for dates (its collection row, the receipt and credit-note emails) are its real
// activities, called as the workflow calls them.
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCollectionRow } from '../../db/repositories/collections.ts';
import { finishAdvance } from '../../db/repositories/test-clocks.ts';
import { realActivities } from '../support/activities.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { recordingTemporal } from '../support/recording-temporal.ts';

// The clock's instants, in order. Real time (the machine's) is none of them: a date that leaked
// from real time would differ from every expected value below.
const T0 = '2027-03-10T10:00:00.000Z'; // the clock is created; three invoices are finalized
const T1 = '2027-03-12T09:30:00.000Z'; // a partial payment, its receipt, a refund
const T2 = '2027-03-20T15:45:00.000Z'; // invoice B disputed
const T3 = '2027-04-02T08:15:00.000Z'; // resolved and voided; C written off; A paid; an estimate

/** Runs an activity as the worker would (they log through their context). */
const activityEnv = new MockActivityEnvironment();
const asActivity = <R>(call: () => Promise<R>): Promise<R> => activityEnv.run(call);

interface Money {
  amount: number;
}
interface Invoice {
  id: string;
  number: string;
  status: string;
  issuedAt: string;
  finalizedAt: string;
  paidAt: string | null;
  voidedAt: string | null;
  markedUncollectibleAt: string | null;
  total: Money;
  amountDue: Money;
}
interface CreditNote {
  id: string;
  number: string;
  reason: string;
  issuedAt: string;
  total: Money;
}
interface Payment {
  id: string;
  amount: Money;
  paidAt: string;
  method: string;
}

describe('a customer on a test clock set in 2027', () => {
  let api: ApiHarness;
  let clockId: string;
  let customerId: string;
  /** The clock's series prefix: TEST-, the clock id's last 12 characters, upper case. */
  let series: string;

  beforeAll(async () => {
    api = await createApiHarness({ temporal: recordingTemporal().client });
  });
  afterAll(async () => api?.close());

  async function call<T>(method: 'GET' | 'POST', url: string, payload?: object, status = 200) {
    const response = await api.request({ method, url, ...(payload && { payload }) });
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(status);
    return response.json<T>();
  }

  /** Moves the clock through the API, then finishes the walk as its last activity does. */
  async function advanceTo(instant: string): Promise<void> {
    await call('POST', `/v1/test-clocks/${clockId}/advance`, { frozenTime: instant }, 202);
    await finishAdvance(api.db, clockId, instant);
    const clock = await call<{ status: string; frozenTime: string }>(
      'GET',
      `/v1/test-clocks/${clockId}`,
    );
    expect(clock).toMatchObject({ status: 'ready', frozenTime: instant });
  }

  async function finalizedInvoice(description: string): Promise<Invoice> {
    const draft = await call<{ id: string }>(
      'POST',
      '/v1/invoices',
      { customerId, lines: [{ description, quantity: 1, unitPrice: 10_000 }] },
      201,
    );
    return call<Invoice>('POST', `/v1/invoices/${draft.id}/finalize`, {});
  }

  /** The outbox's copy of the email with this subject fragment. */
  async function emailAbout(fragment: string) {
    const list = await call<{ data: { id: string; subject: string; createdAt: string }[] }>(
      'GET',
      '/v1/outbox?to=ap@hooli.test&limit=100',
    );
    const summary = list.data.find((m) => m.subject.includes(fragment));
    expect(summary, `an email about ${fragment}`).toBeDefined();
    return call<{ createdAt: string; text: string }>('GET', `/v1/outbox/${summary!.id}`);
  }

  it('dates every document, payment and email at the clock’s instant, in the clock’s series', async () => {
    clockId = (await call<{ id: string }>('POST', '/v1/test-clocks', { frozenTime: T0 }, 201)).id;
    series = `TEST-${clockId.slice(-12).toUpperCase()}`;
    customerId = (
      await call<{ id: string }>(
        'POST',
        '/v1/customers',
        {
          name: 'Hooli SAS',
          email: 'ap@hooli.test',
          currency: 'EUR',
          country: 'FR',
          timezone: 'Europe/Paris',
          locale: 'en-GB',
          testClockId: clockId,
        },
        201,
      )
    ).id;

    // T0: three manual invoices finalized without a date: issued (and finalized) at the clock's
    // instant, numbered 1, 2, 3 of the clock's 2027 invoice series.
    const a = await finalizedInvoice('Workshop A');
    const b = await finalizedInvoice('Workshop B');
    const c = await finalizedInvoice('Workshop C');
    expect([a, b, c].map((i) => [i.number, i.issuedAt, i.finalizedAt])).toEqual([
      [`${series}-INV-2027-000001`, T0, T0],
      [`${series}-INV-2027-000002`, T0, T0],
      [`${series}-INV-2027-000003`, T0, T0],
    ]);

    // T1: a partial payment without paidAt is paid at T1 (not at real time, which is earlier
    // than the invoice it pays).
    await advanceTo(T1);
    const paid = await call<{ payment: Payment; invoice: Invoice }>(
      'POST',
      `/v1/invoices/${a.id}/payments`,
      { amount: 4_000, method: 'bank transfer', reference: 'wire-a-1' },
      201,
    );
    expect(paid.payment.paidAt).toBe(T1);
    expect(paid.invoice).toMatchObject({ status: 'partially_paid', paidAt: null });

    // Its receipt, sent by the collection's activities as the workflow sends it: it says the
    // payment was received on 12 March 2027 (T1 in Paris), and the outbox dates it at T1.
    const activities = realActivities(api.db);
    const facts = await asActivity(() => activities.readCollection({ invoiceId: a.id }));
    expect(facts.payments).toEqual([
      { id: paid.payment.id, amount: 4_000, paidAt: T1, method: 'bank transfer' },
    ]);
    await asActivity(() =>
      activities.emailReceipt({ invoiceId: a.id, payment: facts.payments[0]! }),
    );
    const receipt = await emailAbout(`we received €40.00 for invoice ${a.number}`);
    expect(receipt.createdAt).toBe(T1);
    expect(receipt.text).toContain('on 12 March 2027');
    expect(receipt.text).toContain(`issued 10 March 2027`);

    // T1: a refund credit note is the first of the clock's 2027 credit-note series, issued at T1.
    const refund = await call<CreditNote>(
      'POST',
      `/v1/invoices/${a.id}/credit-notes`,
      { reason: 'refund', amount: 1_000 },
      201,
    );
    expect(refund).toMatchObject({
      number: `${series}-CN-2027-000001`,
      reason: 'refund',
      issuedAt: T1,
    });

    // T2: invoice B is disputed (its collection row is what the workflow's first step creates).
    await advanceTo(T2);
    await openCollectionRow(api.db, {
      invoiceId: b.id,
      customerId,
      workflowId: `collection-${b.id}`,
      policyId: null,
      status: 'open',
    });
    const disputed = await call<{ dispute: { disputedAt: string } }>(
      'POST',
      `/v1/invoices/${b.id}/dispute`,
      { reason: 'wrong workshop' },
    );
    expect(disputed.dispute.disputedAt).toBe(T2);

    // T3: resolved, then voided: the void and its credit note are dated T3, after invoice B's
    // issue at T0, and the credit note is the second of the clock's series (not CN-2026-…).
    await advanceTo(T3);
    const resolved = await call<{ dispute: { disputedAt: string; resolvedAt: string } }>(
      'POST',
      `/v1/invoices/${b.id}/resolve`,
      { resolution: 'it was the right one after all' },
    );
    expect(resolved.dispute).toMatchObject({ disputedAt: T2, resolvedAt: T3 });
    const voided = await call<{ invoice: Invoice; creditNote: CreditNote }>(
      'POST',
      `/v1/invoices/${b.id}/void`,
      {},
    );
    expect(voided.invoice).toMatchObject({ status: 'void', voidedAt: T3, issuedAt: T0 });
    expect(voided.creditNote).toMatchObject({
      number: `${series}-CN-2027-000002`,
      reason: 'void',
      issuedAt: T3,
      total: b.total,
    });
    // The credit note's email, sent by the collection when the void ends it: dated T3 too.
    await asActivity(() => activities.emailCreditNote({ creditNoteId: voided.creditNote.id }));
    const creditEmail = await emailAbout(voided.creditNote.number);
    expect(creditEmail.createdAt).toBe(T3);
    expect(creditEmail.text).toContain('2 April 2027');

    // T3: invoice C is written off at T3.
    const writtenOff = await call<Invoice>('POST', `/v1/invoices/${c.id}/mark-uncollectible`, {});
    expect(writtenOff).toMatchObject({ status: 'uncollectible', markedUncollectibleAt: T3 });

    // T3: the rest of invoice A, paid without paidAt, makes it paid at T3.
    const rest = await call<{ payment: Payment; invoice: Invoice }>(
      'POST',
      `/v1/invoices/${a.id}/payments`,
      {
        amount: paid.invoice.amountDue.amount - refund.total.amount,
        method: 'card',
        reference: 'card-a-2',
      },
      201,
    );
    expect(rest.payment.paidAt).toBe(T3);
    expect(rest.invoice).toMatchObject({ status: 'paid', paidAt: T3 });

    // T3: an estimate without periodStart starts at the clock's instant and is dated by it: one
    // month from 10:15 in Paris on 2 April 2027 to the same local time on 2 May (08:15 UTC both,
    // summer time either side).
    await call(
      'POST',
      '/v1/plans',
      {
        code: 'hooli-monthly',
        name: 'Hooli (monthly)',
        currency: 'EUR',
        interval: 'month',
        amount: 4_900,
      },
      201,
    );
    const estimate = await call<{ createdAt: string; period: { start: string; end: string } }>(
      'POST',
      '/v1/estimates',
      { customerId, planCode: 'hooli-monthly' },
      201,
    );
    expect(estimate.createdAt).toBe(T3);
    expect(estimate.period).toEqual({ start: T3, end: '2027-05-02T08:15:00.000Z' });
  });
});
