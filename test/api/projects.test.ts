// Manual invoices and projects over HTTP on a real database and a REAL workflow: the API is built
// on the time-skipping server's client, a worker runs the real activities on the billing task
// queue, and everything is asserted over HTTP, in the outbox and on the rows in PostgreSQL.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { realActivities } from '../support/activities.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  startTestWorker,
  type RunningWorker,
} from '../support/temporal.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

const SECRET = 'projects-api-test-signing-secret-0123456789';
const TZ = 'Europe/Paris';

let env: TestWorkflowEnvironment;
let api: ApiHarness;
let worker: RunningWorker;

beforeAll(async () => {
  env = await createTimeSkippingEnvironment();
  api = await createApiHarness({
    temporal: env.client,
    temporalTimeoutMs: 20_000,
    signingSecret: SECRET,
  });
  worker = await startTestWorker(env, {
    activities: realActivities(api.db, loadConfig({ BILLWRIGHT_SIGNING_SECRET: SECRET })),
  });
});

afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await env?.teardown();
});

async function post(url: string, payload?: object) {
  return api.request({ method: 'POST', url, ...(payload && { payload }) });
}

let customers = 0;
async function newCustomer(): Promise<{ id: string; email: string }> {
  const email = `client${++customers}@atelier.example`;
  const response = await post('/v1/customers', {
    name: `Atelier ${customers} SARL`,
    email,
    currency: 'EUR',
    country: 'FR',
    timezone: TZ,
    locale: 'fr-FR',
  });
  expect(response.statusCode, response.body).toBe(201);
  return { id: response.json<{ id: string }>().id, email };
}

function outboxTo(email: string) {
  return api.db
    .selectFrom('outbox_messages')
    .selectAll()
    .orderBy('created_at')
    .execute()
    .then((rows) => rows.filter((r) => r.to_addresses.includes(email)));
}

interface InvoiceBody {
  id: string;
  number: string | null;
  status: string;
  subtotal: { amount: number };
  tax: { amount: number };
  total: { amount: number };
  lines: { description: string; amount: { amount: number }; taxAmount: { amount: number } }[];
}

describe('manual invoices', () => {
  test('a draft is created, edited, finalized (numbered, taxed), rendered and emailed once', async () => {
    const customer = await newCustomer();
    expect((await post('/v1/invoices', { customerId: 'cus_nope', lines: [] })).statusCode).toBe(
      400,
    );
    const unknown = await post('/v1/invoices', {
      customerId: 'cus_nope',
      lines: [{ description: 'Setup', quantity: 1, unitPrice: 100 }],
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ errors: [{ field: 'customerId' }] });
    const otherCurrency = await post('/v1/invoices', {
      customerId: customer.id,
      currency: 'USD',
      lines: [{ description: 'Setup', quantity: 1, unitPrice: 100 }],
    });
    expect(otherCurrency.json()).toMatchObject({ status: 422, errors: [{ field: 'currency' }] });

    const created = await post('/v1/invoices', {
      customerId: customer.id,
      lines: [
        { description: 'Workshop day', quantity: 2, unitPrice: 120_000 },
        { description: 'Printed report', quantity: 1, unitPrice: 5_000 },
      ],
    });
    expect(created.statusCode, created.body).toBe(201);
    const draft = created.json<InvoiceBody>();
    expect(draft).toMatchObject({ status: 'draft', number: null, subtotal: { amount: 245_000 } });

    const edited = await api.request({
      method: 'PATCH',
      url: `/v1/invoices/${draft.id}`,
      payload: {
        lines: [
          { description: 'Workshop day', quantity: 3, unitAmount: 120_000 },
          { description: 'Printed report', quantity: 1, unitAmount: 5_000 },
        ],
      },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json<InvoiceBody>().subtotal.amount).toBe(365_000);

    const finalized = await post(`/v1/invoices/${draft.id}/finalize`);
    expect(finalized.statusCode, finalized.body).toBe(200);
    const invoice = finalized.json<InvoiceBody>();
    expect(invoice.status).toBe('open');
    expect(invoice.number).toMatch(/^INV-/);
    expect(invoice.tax.amount).toBeGreaterThan(0);
    expect(invoice.total.amount).toBe(365_000 + invoice.tax.amount);

    // The delivery workflow renders and emails it, as for any invoice.
    const email = await eventually('the invoice email', async () =>
      (await outboxTo(customer.email)).find((m) => m.subject.includes(invoice.number!)),
    );
    expect(email.html).toContain(invoice.number);
    const html = await api.request({ method: 'GET', url: `/v1/invoices/${invoice.id}/html` });
    expect(html.statusCode).toBe(200);

    // Finalizing again changes nothing and sends nothing.
    const again = await post(`/v1/invoices/${draft.id}/finalize`);
    expect(again.json<InvoiceBody>().number).toBe(invoice.number);
    const handle = env.client.workflow.getHandle(`invoice-${invoice.id}`);
    await handle.result();
    const deliveries = await api.db
      .selectFrom('email_deliveries')
      .select('idempotency_key')
      .where('invoice_id', '=', invoice.id)
      .execute();
    expect(deliveries).toEqual([{ idempotency_key: `invoice/${invoice.id}/issued` }]);
    // A finalized invoice is immutable.
    const late = await api.request({
      method: 'PATCH',
      url: `/v1/invoices/${invoice.id}`,
      payload: { lines: [{ description: 'x', quantity: 1, unitAmount: 1 }] },
    });
    expect(late.statusCode).toBe(409);
  });

  test('lines take decimal quantities and prices, priced exactly and rounded once', async () => {
    const customer = await newCustomer();
    const created = await post('/v1/invoices', {
      customerId: customer.id,
      lines: [
        { description: 'Consulting, hours', quantity: '2.5', unitPrice: 15_000 },
        { description: 'API calls', quantity: 1200, unitPrice: '0.06' },
        { description: 'Storage, GB', quantity: '12.50', unitPrice: '0.333' },
      ],
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      subtotal: { amount: 37_500 + 72 + 4 },
      lines: [
        { quantity: '2.5', unitAmount: '15000', amount: { amount: 37_500 }, arithmetic: null },
        { quantity: '1200', unitAmount: '0.06', amount: { amount: 72 } },
        // 12.5 × 0.333 = 4.1625 → 4, half up once; the quantity is stored as "12.5".
        { quantity: '12.5', unitAmount: '0.333', amount: { amount: 4 } },
      ],
    });
    const refused = async (line: object, status: number) => {
      const response = await post('/v1/invoices', { customerId: customer.id, lines: [line] });
      expect(response.statusCode, response.body).toBe(status);
      return response.json<{ errors: { field: string }[] }>();
    };
    const zero = await refused({ description: 'x', quantity: '0', unitPrice: 1 }, 422);
    expect(zero.errors[0]!.field).toBe('lines[0].quantity');
    await refused({ description: 'x', quantity: '1e3', unitPrice: 1 }, 400);
    await refused({ description: 'x', quantity: 1, unitPrice: '-1' }, 400);
    const huge = await refused(
      { description: 'x', quantity: 1_000_000_000, unitPrice: 1_000_000_000_000 },
      422,
    );
    expect(huge.errors[0]!.field).toBe('lines[0].quantity');
  });
});

interface ProjectBody {
  id: string;
  status: string;
  version: number;
  contractValue: { amount: number };
  deposit: { amount: number } | null;
  milestones: { key: string; status: string; amount: { amount: number } }[];
  invoices: { billingKey: string; number: string; total: { amount: number } }[];
  budget: { used: { amount: number } } | null;
}

const projectBody = (customerId: string) => ({
  customerId,
  name: 'Museum wing',
  currency: 'EUR',
  contractValue: 100_000_000,
  deposit: { percent: '15' },
  milestones: [
    { key: 'design', name: 'Design approved', percent: '30', requiresApproval: true },
    { key: 'handover', name: 'Handover', balance: true },
  ],
  hours: {
    roundingMinutes: 15,
    rateCard: { senior: 15_000 },
    invoicing: 'with_milestone',
    budget: { amount: 60_000, warnAtPercent: 80, hardStop: true },
  },
});

describe('projects', () => {
  test('terms that exceed the contract, or a milestone with two prices, are refused naming the field', async () => {
    const customer = await newCustomer();
    const over = await post('/v1/projects', {
      ...projectBody(customer.id),
      milestones: [
        { key: 'a', name: 'A', percent: '60' },
        { key: 'b', name: 'B', amount: 40_000_000 },
      ],
    });
    expect(over.statusCode).toBe(422);
    expect(over.json()).toMatchObject({ errors: [{ field: 'milestones' }] });
    const twoPrices = await post('/v1/projects', {
      ...projectBody(customer.id),
      milestones: [{ key: 'a', name: 'A', percent: '10', amount: 5 }],
    });
    expect(twoPrices.json()).toMatchObject({
      status: 422,
      errors: [{ field: 'milestones[0].amount' }],
    });
    const currency = await post('/v1/projects', { ...projectBody(customer.id), currency: 'USD' });
    expect(currency.json()).toMatchObject({ status: 422, errors: [{ field: 'currency' }] });
    const list = await api.request({
      method: 'GET',
      url: `/v1/projects?customerId=${customer.id}`,
    });
    expect(list.json<{ data: unknown[] }>().data).toEqual([]);
  });

  test('deposit, validators, a customer approval through the signed link, hours with the milestone, change orders', async () => {
    const customer = await newCustomer();
    const created = await post('/v1/projects', projectBody(customer.id));
    expect(created.statusCode, created.body).toBe(201);
    const project = created.json<ProjectBody>();
    expect(project).toMatchObject({
      status: 'active',
      version: 1,
      deposit: { amount: 15_000_000 },
      milestones: [
        { key: 'design', status: 'pending', amount: { amount: 30_000_000 } },
        { key: 'handover', status: 'pending', amount: { amount: 55_000_000 } },
      ],
    });
    const get = () =>
      api
        .request({ method: 'GET', url: `/v1/projects/${project.id}` })
        .then((r) => r.json<ProjectBody>());
    await eventually('the deposit invoice', async () => (await get()).invoices.length === 1);

    // Time: a role's rate card rate, rounded up to 15 minutes; the hard stop refuses the rest.
    const entry = await post(`/v1/projects/${project.id}/time-entries`, {
      person: 'Ana',
      date: '2027-02-01',
      hours: '2.9',
      role: 'senior',
      description: 'Site visit',
    });
    expect(entry.statusCode, entry.body).toBe(201);
    expect(entry.json()).toMatchObject({
      entry: { minutes: 174, billedMinutes: 180, amount: { amount: 45_000 } },
      budget: { used: { amount: 45_000 }, warning: false },
    });
    const noRate = await post(`/v1/projects/${project.id}/time-entries`, {
      person: 'Bo',
      date: '2027-02-01',
      hours: 1,
      role: 'intern',
      description: 'Filing',
    });
    expect(noRate.json()).toMatchObject({ status: 422, errors: [{ field: 'role' }] });
    const over = await post(`/v1/projects/${project.id}/time-entries`, {
      person: 'Ana',
      date: '2027-02-02',
      hours: 2,
      rate: 15_000,
      description: 'Drawings',
    });
    expect(over.json()).toMatchObject({ status: 422, errors: [{ field: 'hours' }] });
    const warned = await post(`/v1/projects/${project.id}/time-entries`, {
      person: 'Ana',
      date: '2027-02-02',
      hours: 0.25,
      rate: 15_000,
      description: 'Call',
    });
    expect(warned.json()).toMatchObject({ budget: { used: { amount: 48_750 }, warning: true } });
    const extra = await post(`/v1/projects/${project.id}/time-entries`, {
      person: 'Bo',
      date: '2027-02-02',
      hours: 1,
      rate: 0,
      billable: false,
      description: 'Internal review',
    });
    const extraId = extra.json<{ entry: { id: string } }>().entry.id;
    const deleted = await api.request({
      method: 'DELETE',
      url: `/v1/projects/${project.id}/time-entries/${extraId}`,
    });
    expect(deleted.statusCode).toBe(204);

    // The validators answer in HTTP terms.
    const unknown = await post(`/v1/projects/${project.id}/milestones/nope/complete`, {});
    expect(unknown.statusCode).toBe(404);
    const early = await post(`/v1/projects/${project.id}/milestones/handover/complete`, {});
    expect(early.statusCode).toBe(409);
    expect(early.json<{ detail: string }>().detail).toMatch(/design must be completed before/);
    const notAwaiting = await post(`/v1/projects/${project.id}/milestones/design/approve`, {});
    expect(notAwaiting.statusCode).toBe(409);
    const change = await post(`/v1/projects/${project.id}/change-orders`, {
      reprice: { key: 'design', amount: 90_000_000 },
    });
    expect(change.json()).toMatchObject({ status: 422, errors: [{ field: 'reprice' }] });
    const repriced = await post(`/v1/projects/${project.id}/change-orders`, {
      reprice: { key: 'design', percent: '25' },
      reason: 'Scope reduced',
    });
    expect(repriced.statusCode, repriced.body).toBe(200);
    expect(repriced.json<ProjectBody>()).toMatchObject({
      version: 2,
      milestones: [{ amount: { amount: 25_000_000 } }, { amount: { amount: 60_000_000 } }],
    });

    const completed = await post(`/v1/projects/${project.id}/milestones/design/complete`, {});
    expect(completed.statusCode, completed.body).toBe(200);
    expect(completed.json<ProjectBody>().milestones[0]!.status).toBe('awaiting_approval');

    // The customer opens the signed link from the email and approves.
    const asked = await eventually('the approval request', async () =>
      (await outboxTo(customer.email)).find((m) => m.subject.includes('Merci d’approuver')),
    );
    const link = new URL(/https?:\/\/\S+approval\?\S+/.exec(asked.text)![0]);
    const page = await api.app.inject({ method: 'GET', url: `${link.pathname}${link.search}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Design approved');
    expect(page.body).toContain('<button type="submit">Approuver</button>'); // a fr-FR customer
    const forged = await api.app.inject({
      method: 'GET',
      url: `${link.pathname}?round=1&expires=${link.searchParams.get('expires')}&signature=AAAA`,
    });
    expect(forged.statusCode).toBe(403);
    const fields = new URLSearchParams(link.search);
    const noReason = await api.app.inject({
      method: 'POST',
      url: `${link.pathname}/reject`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: fields.toString(),
    });
    expect(noReason.statusCode).toBe(422);
    const approved = await api.app.inject({
      method: 'POST',
      url: `${link.pathname}/approve`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: fields.toString(),
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.body).toContain('Le jalon est approuvé');
    const twice = await api.app.inject({
      method: 'POST',
      url: `${link.pathname}/approve`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: fields.toString(),
    });
    expect(twice.statusCode).toBe(409);

    // Invoiced with the hours recorded so far (with_milestone), each entry once.
    const invoiced = await eventually('the design invoice', async () => {
      const p = await get();
      return p.invoices.length === 2 ? p : undefined;
    });
    const designInvoice = invoiced.invoices[1]!;
    expect(designInvoice.billingKey).toBe('milestone/design');
    const lines = await api.db
      .selectFrom('invoice_lines')
      .innerJoin('invoices', 'invoices.id', 'invoice_lines.invoice_id')
      .select(['invoice_lines.description', 'invoice_lines.amount'])
      .where('invoices.number', '=', designInvoice.number)
      .orderBy('position')
      .execute();
    expect(lines.map((l) => l.amount)).toEqual([25_000_000, 48_750]);
    expect(lines[1]!.description).toMatch(/^Ana: 3.25 h at /);
    const entries = await api.request({
      method: 'GET',
      url: `/v1/projects/${project.id}/time-entries`,
    });
    const billed = entries.json<{ data: { invoiceId: string | null }[] }>().data;
    expect(billed).toHaveLength(2);
    expect(new Set(billed.map((e) => e.invoiceId)).size).toBe(1);
    expect(billed[0]!.invoiceId).not.toBeNull();
    // An invoiced entry never changes.
    const entryId = entries.json<{ data: { id: string }[] }>().data[0]!.id;
    const frozen = await api.request({
      method: 'DELETE',
      url: `/v1/projects/${project.id}/time-entries/${entryId}`,
    });
    expect(frozen.statusCode).toBe(409);

    const events = await api.request({ method: 'GET', url: `/v1/projects/${project.id}/events` });
    expect(events.json<{ data: { kind: string; actor: string }[] }>().data).toContainEqual(
      expect.objectContaining({ kind: 'milestone_approved', actor: 'customer (approval link)' }),
    );
    const orders = await api.request({
      method: 'GET',
      url: `/v1/projects/${project.id}/change-orders`,
    });
    expect(orders.json()).toMatchObject({
      data: [{ version: 2, reason: 'Scope reduced', contractValueAfter: { amount: 100_000_000 } }],
    });
  });
});
