// Quotes end to end through the public API on a test clock, with the real quote and
// subscription workflows: an estimate issued as a quote is emailed with a signed link; accepting
// it on the hosted page (twice at once) starts its subscription once, which bills as quoted; a
// retried activity starts nothing more; a decline records its reason; an unanswered quote
// expires when the clock passes its validity, the operator is told and acceptance is refused.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuoteAnswer } from '../../domain/quotes/terms.ts';
import {
  advanceClock,
  createBillingHarness,
  created,
  issuedInvoices,
  newClock,
  type BillingHarness,
} from '../support/billing-harness.ts';
import { realActivities } from '../support/activities.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { eventually } from '../support/temporal.ts';
import { loadConfig } from '../../config/index.ts';
import { openUiBrowser } from '../support/temporal-ui.ts';

const ENVIRONMENT = {
  BILLWRIGHT_SIGNING_SECRET: 'quotes-test-signing-secret-0123456789abcdef',
  BILLWRIGHT_OPERATOR_EMAIL: 'ops@seller.test',
};
const START = '2027-01-10T09:00:00.000Z';
const CUSTOMER_EMAIL = 'achats@lutece.example';

interface Quote {
  id: string;
  number: string;
  status: string;
  validUntil: string;
  terms: string | null;
  subscription: { planCode: string; planVersion: number; quantity: number; couponCodes: string[] };
  subscriptionId: string | null;
  accepted: { at: string; name: string; title: string | null; ip: string | null } | null;
  declined: { at: string; reason: string } | null;
  expiredAt: string | null;
}

let h: BillingHarness;
let clockId: string;
let customerId: string;
let estimate: { id: string; total: { amount: number }; discountTotal: { amount: number } };

function outboxTo(address: string) {
  return h.api.db
    .selectFrom('outbox_messages')
    .selectAll()
    .where(sql<boolean>`${address} = any(to_addresses)`)
    .orderBy('created_at')
    .execute();
}

function eventsOf(type: string, objectId: string) {
  return h.api.db
    .selectFrom('webhook_events')
    .selectAll()
    .where('type', '=', type)
    .where('object_id', '=', objectId)
    .execute();
}

async function issue(payload: object = {}): Promise<Quote> {
  return created<Quote>(await h.post(`/v1/estimates/${estimate.id}/quote`, payload));
}

/** The signed acceptance link of the quote's email, once the workflow has sent it. */
async function emailedLink(quote: Quote): Promise<URL> {
  const mail = await eventually(`quote ${quote.number} emailed`, async () =>
    (await outboxTo(CUSTOMER_EMAIL)).find((m) => m.subject.includes(quote.number)),
  );
  return new URL(new RegExp(`https?://\\S+/hosted/quotes/${quote.id}\\?\\S+`).exec(mail.text)![0]);
}

function answer(link: URL, decision: 'accept' | 'decline', fields: Record<string, string>) {
  return h.api.request({
    method: 'POST',
    url: `${link.pathname}/${decision}${link.search}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
    remoteAddress: '203.0.113.7',
  });
}

beforeAll(async () => {
  h = await createBillingHarness({ env: ENVIRONMENT });
  clockId = await newClock(h, START);
  customerId = await postCustomer(h.api, {
    name: 'Lutèce SAS',
    email: CUSTOMER_EMAIL,
    testClockId: clockId,
  });
  created(
    await h.post('/v1/plans', {
      code: 'team-seats',
      name: 'Team',
      currency: 'EUR',
      interval: 'month',
      charges: [
        {
          key: 'seats',
          description: 'Seats',
          billing: 'advance',
          type: 'per_seat',
          unitAmount: '1500',
        },
      ],
    }),
  );
  created(
    await h.post('/v1/coupons', {
      code: 'WELCOME20',
      description: 'Welcome −20 %',
      value: { type: 'percentage', percent: '20' },
      duration: { type: 'repeating', periods: 3 },
    }),
  );
  estimate = created(
    await h.post('/v1/estimates', {
      planCode: 'team-seats',
      customerId,
      quantities: { seats: 3 },
      couponCodes: ['WELCOME20'],
    }),
  );
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('a quote accepted on its hosted page', () => {
  let quote: Quote;
  let link: URL;

  it('is numbered in the quote series, valid 30 days in the customer’s zone, and emailed with its signed link', async () => {
    quote = await issue({ terms: 'Paiement à 30 jours.\nRésiliable chaque mois.' });
    expect(quote.number).toMatch(/Q-2027-000001$/);
    expect(quote).toMatchObject({
      status: 'open',
      terms: 'Paiement à 30 jours.\nRésiliable chaque mois.',
      subscription: {
        planCode: 'team-seats',
        planVersion: 1,
        quantity: 3,
        couponCodes: ['WELCOME20'],
      },
      subscriptionId: null,
    });
    // 10 January 10:00 in Paris + 30 days: through the end of 9 February, Paris time.
    expect(quote.validUntil).toBe('2027-02-09T22:59:59.999Z');
    link = await emailedLink(quote);
    const [mail] = (await outboxTo(CUSTOMER_EMAIL)).filter((m) => m.subject.includes(quote.number));
    // In the customer's language (fr-FR), with the quoted total.
    expect(mail!.subject).toMatch(/^Votre devis .*Q-2027-000001 : 43,20\s€$/);
    expect(mail!.text).toContain('Paiement à 30 jours.');
  });

  it('shows the quote document with Accept and Decline in the customer’s language', async () => {
    const page = await h.api.request({ method: 'GET', url: `${link.pathname}${link.search}` });
    expect(page.statusCode, page.body).toBe(200);
    expect(page.headers['cache-control']).toBe('private, no-store');
    expect(page.body).toContain('Devis');
    expect(page.body).toContain(quote.number);
    expect(page.body).toContain('Valable jusqu’au');
    expect(page.body).toContain('Accepter le devis');
    expect(page.body).toContain('Refuser le devis');
    const forged = await h.api.request({
      method: 'GET',
      url: `${link.pathname}?expires=${link.searchParams.get('expires')}&signature=AAAA`,
    });
    expect(forged.statusCode).toBe(403);
  });

  it('accepted twice at once: one acceptance, one subscription, billed as quoted', async () => {
    const answers = await Promise.all([
      answer(link, 'accept', { name: 'Camille Martin', title: 'Directrice financière' }),
      answer(link, 'accept', { name: 'Camille Martin', title: 'Directrice financière' }),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.statusCode === 200)!.body).toContain('devis accepté');
    const accepted = await h.get<Quote>(`/v1/quotes/${quote.id}`);
    expect(accepted).toMatchObject({
      status: 'accepted',
      accepted: {
        at: START,
        name: 'Camille Martin',
        title: 'Directrice financière',
        ip: '203.0.113.7',
      },
    });
    const subscriptions = await h.get<{
      data: { id: string; quantity: number; planCode: string }[];
    }>(`/v1/subscriptions?customerId=${customerId}`);
    expect(subscriptions.data).toEqual([
      expect.objectContaining({ id: accepted.subscriptionId, quantity: 3, planCode: 'team-seats' }),
    ]);
    // The first invoice is what the quote said: 3 seats × €15, −20 %, French VAT.
    const [invoice] = await issuedInvoices(h, accepted.subscriptionId!, 1);
    expect(invoice!.discountTotal.amount).toBe(estimate.discountTotal.amount);
    expect(invoice!.total.amount).toBe(estimate.total.amount);
    expect(invoice!.total.amount).toBe(4320);
    expect(await eventsOf('quote.accepted', quote.id)).toHaveLength(1);
    // The document now says who accepted it, when.
    const html = await h.api.request({ method: 'GET', url: `/v1/quotes/${quote.id}/html` });
    expect(html.body).toContain('Accepté par Camille Martin (Directrice financière) le');
  });

  it('a retried activity records nothing more and starts nothing more', async () => {
    const activities = realActivities(h.api.db, loadConfig(ENVIRONMENT), {
      temporal: h.api.app.temporal,
    });
    const again: QuoteAnswer = {
      decision: 'accept',
      name: 'Camille Martin',
      title: null,
      ip: null,
    };
    const before = await h.get<Quote>(`/v1/quotes/${quote.id}`);
    expect(await activities.recordQuoteAnswer({ quoteId: quote.id, answer: again })).toEqual({
      subscriptionId: before.subscriptionId,
    });
    await activities.startQuotedSubscription({ quoteId: quote.id });
    await activities.startQuotedSubscription({ quoteId: quote.id });
    const subscriptions = await h.get<{ data: unknown[] }>(
      `/v1/subscriptions?customerId=${customerId}`,
    );
    expect(subscriptions.data).toHaveLength(1);
    expect(await eventsOf('quote.accepted', quote.id)).toHaveLength(1);
    expect(await h.get<Quote>(`/v1/quotes/${quote.id}`)).toEqual(before);
  });
});

describe('a declined quote', () => {
  it('needs a reason, records it, and is final', async () => {
    const quote = await issue();
    const link = await emailedLink(quote);
    const bare = await answer(link, 'decline', { reason: '  ' });
    expect(bare.statusCode).toBe(422);
    expect(bare.json()).toMatchObject({ errors: [expect.objectContaining({ field: 'reason' })] });
    const declined = await answer(link, 'decline', { reason: 'Budget gelé cette année' });
    expect(declined.statusCode, declined.body).toBe(200);
    expect(await h.get<Quote>(`/v1/quotes/${quote.id}`)).toMatchObject({
      status: 'declined',
      declined: { at: START, reason: 'Budget gelé cette année' },
      subscriptionId: null,
    });
    expect(await eventsOf('quote.declined', quote.id)).toHaveLength(1);
    const late = await answer(link, 'accept', { name: 'Camille Martin' });
    expect(late.statusCode).toBe(409);
    const html = await h.api.request({ method: 'GET', url: `/v1/quotes/${quote.id}/html` });
    expect(html.body).toContain('Refusé le');
    expect(html.body).toContain('Budget gelé cette année');
  });
});

describe('an unanswered quote', () => {
  it('expires when the clock passes its validity: the operator is told, acceptance refused', async () => {
    const quote = await issue({ validUntil: '2027-01-12T09:00:00Z' });
    const link = await emailedLink(quote);
    await advanceClock(h, clockId, '2027-01-13T09:00:00.000Z');
    const expired = await eventually('the quote to expire', async () => {
      const q = await h.get<Quote>(`/v1/quotes/${quote.id}`);
      return q.status === 'expired' ? q : undefined;
    });
    // Marked on the clock's time, the instant its validity ended.
    expect(Date.parse(expired.expiredAt!)).toBeGreaterThan(Date.parse('2027-01-12T09:00:00Z'));
    expect(Date.parse(expired.expiredAt!)).toBeLessThanOrEqual(Date.parse('2027-01-13T09:00:00Z'));
    expect(await eventsOf('quote.expired', quote.id)).toHaveLength(1);
    const notice = await eventually('the operator notice', async () =>
      (await outboxTo('ops@seller.test')).find((m) => m.subject.includes(quote.number)),
    );
    expect(notice.subject).toContain('expired');
    const late = await answer(link, 'accept', { name: 'Camille Martin' });
    expect(late.statusCode).toBe(409);
    expect(late.headers['content-type']).toContain('application/problem+json');
    const subscriptions = await h.get<{ data: unknown[] }>(
      `/v1/subscriptions?customerId=${customerId}`,
    );
    expect(subscriptions.data).toHaveLength(1);
  });
});

describe('in a real browser', () => {
  it('the customer opens the emailed link, types their name and accepts', async () => {
    const quote = await issue();
    const link = await emailedLink(quote);
    const baseUrl = await h.api.app.listen({ port: 0, host: '127.0.0.1' });
    const browser = await openUiBrowser({ timeoutMs: 20_000 });
    try {
      await browser.page.goto(`${baseUrl}${link.pathname}${link.search}`);
      await browser.page.getByLabel('Vos nom et prénom').fill('Camille Martin');
      await browser.page.getByRole('button', { name: 'Accepter le devis' }).click();
      await browser.page.getByText('Merci : devis accepté').waitFor();
    } finally {
      await browser.close();
    }
    const accepted = await h.get<Quote>(`/v1/quotes/${quote.id}`);
    expect(accepted).toMatchObject({
      status: 'accepted',
      accepted: { name: 'Camille Martin', title: null, ip: '127.0.0.1' },
    });
    expect(accepted.subscriptionId).toEqual(expect.any(String));
  }, 120_000);
});
