// A customer corrected between two renewals, through the public API on the real subscription
// workflow and a test clock: the invoice issued before keeps the details it was issued with (its
// stored document, its email, a re-render of it), the one issued after carries the new, and a
// message sent after the correction about the old invoice (its receipt) reaches the new address.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadInvoiceView } from '../../activities/invoice-view.ts';
import { loadConfig } from '../../config/index.ts';
import { getInvoiceDocument } from '../../db/repositories/invoice-documents.ts';
import { stringContaining } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { eventually } from '../support/temporal.ts';
import {
  advanceClock,
  created,
  createBillingHarness,
  issuedInvoices,
  storedInvoiceHtml,
  newClock,
  subscribe,
  type BillingHarness,
} from '../support/billing-harness.ts';

const paris = (local: string) => DateTime.fromISO(local, { zone: 'Europe/Paris' }).toUTC().toISO()!;

let h: BillingHarness;
beforeAll(async () => {
  h = await createBillingHarness();
  created(
    await h.post('/v1/plans', {
      code: 'cc-monthly',
      name: 'Monthly',
      currency: 'EUR',
      interval: 'month',
      amount: 3000,
    }),
  );
});
afterAll(async () => {
  await h?.close();
});

/** The emails sent to `to`, once one is about invoice `number`. */
const emailsOnceAbout = (to: string, number: string) =>
  eventually(`the email of invoice ${number} to ${to}`, async () => {
    const page = await h.get<{ data: { to: string[]; subject: string }[] }>(
      `/v1/outbox?to=${encodeURIComponent(to)}`,
    );
    return page.data.some((m) => m.subject.includes(number)) ? page.data : undefined;
  });

test('invoices issued after a correction carry the new details; the one before keeps its own', async () => {
  const clock = await newClock(h, paris('2027-03-01T00:00'));
  const customerId = await postCustomer(h.api, {
    name: 'Lutèce SAS',
    email: 'factures@lutece.example',
    customerType: 'business',
    vatNumber: 'FR40303265045',
    address: { line1: '1 rue de Rivoli', city: 'Paris', postalCode: '75001' },
    testClockId: clock,
  });
  const sub = await subscribe(h, { customerId, planCode: 'cc-monthly' });
  const [first] = await issuedInvoices(h, sub.id, 1);
  const before = await storedInvoiceHtml(h, first!.id);
  expect(before.content).toContain('1 rue de Rivoli');
  expect(before.content).toContain('FR40303265045');
  expect(before.content).toContain('factures@lutece.example');
  expect(before.content).toMatch(/30,00\s€/u); // fr-FR; reverse charged, no VAT
  await emailsOnceAbout('factures@lutece.example', first!.number!);

  // Its subscription lays out periods in Paris time: a new time zone would not reach it.
  const moved = await h.api.request({
    method: 'PATCH',
    url: `/v1/customers/${customerId}`,
    payload: { timezone: 'America/New_York', email: 'x@lutece.example' },
  });
  expect(moved.statusCode, moved.body).toBe(422);
  expect(moved.json()).toMatchObject({
    errors: [{ field: 'timezone', message: stringContaining(sub.id) }],
  });

  const corrected = await h.api.request({
    method: 'PATCH',
    url: `/v1/customers/${customerId}`,
    payload: {
      email: 'compta@lutece.example',
      address: { line1: '8 quai de la Tournelle', postalCode: '75005' },
      vatNumber: 'FR98765432109',
      locale: 'en-GB',
    },
  });
  expect(corrected.statusCode, corrected.body).toBe(200);

  await advanceClock(h, clock, paris('2027-04-02T00:00'));
  const invoices = await issuedInvoices(h, sub.id, 2);
  expect(invoices).toHaveLength(2);
  const second = invoices[1]!;
  const after = await storedInvoiceHtml(h, second.id);
  expect(after.content).toContain('8 quai de la Tournelle');
  expect(after.content).toContain('75005 Paris');
  expect(after.content).toContain('FR98765432109');
  expect(after.content).toContain('compta@lutece.example');
  expect(after.content).toContain('€30.00'); // en-GB
  for (const old of ['1 rue de Rivoli', 'FR40303265045', 'factures@lutece.example']) {
    expect(after.content).not.toContain(old);
  }
  const toNew = await emailsOnceAbout('compta@lutece.example', second.number!);
  expect(toNew.filter((m) => m.subject.includes(first!.number!))).toEqual([]);
  // The first invoice's email went to the address it was issued to; the second's did not.
  const toOld = await emailsOnceAbout('factures@lutece.example', first!.number!);
  expect(toOld.filter((m) => m.subject.includes(second.number!))).toEqual([]);

  // Invoice 1 as issued: its stored document unchanged, and a fresh render of it would show the
  // details it was issued with.
  const still = await getInvoiceDocument(h.api.db, first!.id, 'html');
  expect(still).toEqual(before);
  const view = await loadInvoiceView(h.api.db, first!.id, loadConfig({}), 'issued');
  expect(view.customer).toMatchObject({
    email: 'factures@lutece.example',
    locale: 'fr-FR',
    vatNumber: 'FR40303265045',
    addressLines: ['1 rue de Rivoli', '75001 Paris'],
    country: 'FR',
  });

  // A message sent now about invoice 1 (its receipt) goes to the corrected address.
  const paid = await h.post(`/v1/invoices/${first!.id}/payments`, {
    amount: 3000,
    method: 'bank transfer',
    reference: 'wire-cc-1',
  });
  expect(paid.statusCode, paid.body).toBe(201);
  const receipts = await emailsOnceAbout('compta@lutece.example', first!.number!);
  expect(receipts.find((m) => m.subject.includes(first!.number!))!.subject).toMatch(/^Thank you/);
});
