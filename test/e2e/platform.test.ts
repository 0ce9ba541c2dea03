// End to end, the way `npm start` runs it: the Temporal dev server (the real CLI), the worker and
// the API in one process on real PostgreSQL, driven over HTTP like an operator would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../../temporal/connection.ts';
import { CustomerId, TestClockId } from '../../workflow-contracts/search-attributes.ts';
import { startTestPlatform, type ApiClient, type TestPlatform } from '../support/platform.ts';
import { eventually, testDataConverter } from '../support/temporal.ts';

let started: TestPlatform;
let devServer: TestPlatform['devServer'];
let api: ApiClient;

beforeAll(async () => {
  started = await startTestPlatform();
  ({ devServer, api } = started);
});

afterAll(async () => {
  await started?.stop();
});

describe('Billwright end to end', () => {
  it('invoices a new subscription, emails it to the outbox, and obeys pause, resume and cancel', async () => {
    const customer = await api('POST', '/v1/customers', {
      name: 'Globex Ltd',
      email: 'accounts@globex.test',
      currency: 'GBP',
      country: 'GB',
      timezone: 'Europe/London',
      locale: 'en-GB',
    });
    expect(customer.status).toBe(201);
    const plan = await api('POST', '/v1/plans', {
      code: 'team-monthly',
      name: 'Team (monthly)',
      currency: 'GBP',
      interval: 'month',
      amount: 12_000,
    });
    expect(plan.status).toBe(201);
    const created = await api('POST', '/v1/subscriptions', {
      customerId: customer.body.id,
      planCode: 'team-monthly',
    });
    expect(created.status).toBe(201);
    const subscriptionId: string = created.body.id;

    // The first period opens at once: one invoice, rendered and emailed.
    const invoices = await eventually('the first invoice', async () => {
      const list = await api('GET', `/v1/invoices?customerId=${customer.body.id}`);
      return list.body.data.length === 1 && list.body.data;
    });
    expect(invoices[0]).toMatchObject({
      subscriptionId,
      status: 'open',
      total: { amount: 12_000, currency: 'GBP' },
    });
    expect(invoices[0].number).toMatch(/^INV-\d{4}-\d{6}$/);
    const html = await eventually('the rendered invoice', async () => {
      const page = await api('GET', `/v1/invoices/${invoices[0].id}/html`);
      return page.status === 200 && (page.body as string);
    });
    expect(html).toContain(invoices[0].number);
    expect(html).toContain('£120.00');

    const message = await eventually('the invoice email', async () => {
      const outbox = await api('GET', '/v1/outbox?to=accounts@globex.test');
      return outbox.body.data.length === 1 && outbox.body.data[0];
    });
    expect(message.subject).toContain(invoices[0].number);
    const full = await api('GET', `/v1/outbox/${message.id}`);
    expect(full.body.text).toContain('£120.00');
    expect(full.body.html).toContain(invoices[0].number);

    // The workflow counts the invoice once the email activity has answered: just after the send.
    const shown = await eventually('the invoice counted', async () => {
      const read = await api('GET', `/v1/subscriptions/${subscriptionId}`);
      return read.body.invoicesIssued === 1 && read;
    });
    expect(shown.body).toMatchObject({ status: 'active', invoicesIssued: 1 });
    expect(Date.parse(shown.body.nextBillingAt)).toBeGreaterThan(Date.now() + 27 * 86_400_000);

    // Finance finds the workflow by CustomerId in Temporal, with its summary.
    const client = await connectClient(
      { address: devServer.address, namespace: devServer.namespace, options: {} },
      testDataConverter,
    );
    try {
      const handle = client.workflow.getHandle(`subscription-${subscriptionId}`);
      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(CustomerId)).toBe(customer.body.id);
      expect(await description.staticSummary()).toContain(`Subscription ${subscriptionId}`);
      expect(await description.staticDetails()).toContain(
        'GBP 120.00 billed in advance every month',
      );
    } finally {
      await client.connection.close();
    }

    const paused = await api('POST', `/v1/subscriptions/${subscriptionId}/pause`, {
      reason: 'e2e',
    });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    expect((await api('POST', `/v1/subscriptions/${subscriptionId}/pause`, {})).status).toBe(409);
    const resumed = await api('POST', `/v1/subscriptions/${subscriptionId}/resume`, {
      anchor: 'keep',
    });
    expect(resumed.body.status).toBe('active');
    const canceled = await api('POST', `/v1/subscriptions/${subscriptionId}/cancel`, {
      reason: 'e2e done',
    });
    // Canceled now: the final invoice and the credit for the unused period are issued, and the
    // subscription has ended.
    expect(canceled.body.status).toBe('ended');
    const after = await eventually('the ended row', async () => {
      const row = await api('GET', `/v1/subscriptions/${subscriptionId}`);
      return row.body.status === 'ended' && row.body;
    });
    expect(after.invoicesIssued).toBe(1);
    expect(
      (await api('GET', `/v1/invoices?customerId=${customer.body.id}`)).body.data,
    ).toHaveLength(1);
    // Canceled seconds into the month: almost all of the advance charge comes back as credit.
    const credits = await api('GET', `/v1/invoices/${invoices[0].id}/credit-notes`);
    expect(credits.status).toBe(200);
    expect(credits.body.data).toHaveLength(1);
    expect(credits.body.data[0].number).toMatch(/^CN-\d{4}-\d{6}$/);
    expect(credits.body.data[0].total.amount).toBeGreaterThan(11_900);
    expect(credits.body.data[0].total.amount).toBeLessThanOrEqual(12_000);
  });
});

describe('test clocks through the API on the dev server', () => {
  it('bills three months on a test clock in one advance, then deletes it all', async () => {
    const clock = await api('POST', '/v1/test-clocks', {
      frozenTime: '2027-01-15T10:00:00Z',
      name: 'three months of Initech',
    });
    expect(clock.status).toBe(201);
    expect(clock.body).toMatchObject({ status: 'ready', frozenTime: '2027-01-15T10:00:00.000Z' });
    const clockId: string = clock.body.id;

    const customer = await api('POST', '/v1/customers', {
      name: 'Initech Ltd',
      email: 'ap@initech.test',
      currency: 'GBP',
      country: 'GB',
      timezone: 'Europe/London',
      locale: 'en-GB',
      testClockId: clockId,
    });
    expect(customer.status).toBe(201);
    expect(customer.body.testClockId).toBe(clockId);
    expect(
      await api('POST', '/v1/plans', {
        code: 'clocked-monthly',
        name: 'Clocked (monthly)',
        currency: 'GBP',
        interval: 'month',
        amount: 9_900,
      }),
    ).toMatchObject({ status: 201 });
    const subscription = await api('POST', '/v1/subscriptions', {
      customerId: customer.body.id,
      planCode: 'clocked-monthly',
    });
    expect(subscription.status).toBe(201);
    // Subscribed at the clock's time, not the real one.
    expect(subscription.body.anchorAt).toBe('2027-01-15T10:00:00.000Z');

    const invoicesOfCustomer = async () =>
      (await api('GET', `/v1/invoices?customerId=${customer.body.id}&limit=100`)).body.data as {
        issuedAt: string;
        number: string;
        total: { amount: number };
      }[];
    await eventually('the first invoice', async () => (await invoicesOfCustomer()).length === 1);

    // Time only moves forward, and one advance at a time.
    const backwards = await api('POST', `/v1/test-clocks/${clockId}/advance`, {
      frozenTime: '2027-01-01T00:00:00Z',
    });
    expect(backwards.status).toBe(422);
    expect(backwards.body.errors[0].field).toBe('frozenTime');

    const advance = await api('POST', `/v1/test-clocks/${clockId}/advance`, {
      frozenTime: '2027-04-15T10:00:00Z',
    });
    expect(advance.status).toBe(202);
    expect(advance.body).toMatchObject({
      status: 'advancing',
      advancingTo: '2027-04-15T10:00:00.000Z',
    });
    const again = await api('POST', `/v1/test-clocks/${clockId}/advance`, {
      frozenTime: '2027-05-15T10:00:00Z',
    });
    expect(again.status).toBe(409);

    const ready = await eventually(
      'the clock to be ready',
      async () => {
        const read = await api('GET', `/v1/test-clocks/${clockId}`);
        return read.body.status === 'ready' && read.body;
      },
      60_000,
    );
    expect(ready.frozenTime).toBe('2027-04-15T10:00:00.000Z');

    // Ready means billed: the three renewals are there, dated on the clock, not on real time.
    const invoices = await invoicesOfCustomer();
    expect(invoices.map((i) => i.issuedAt).sort()).toEqual([
      '2027-01-15T10:00:00.000Z',
      '2027-02-15T10:00:00.000Z',
      '2027-03-15T10:00:00.000Z',
      '2027-04-15T09:00:00.000Z', // 10:00 in London, in summer time
    ]);
    expect(invoices.every((i) => i.number.startsWith('TEST-') && i.total.amount > 0)).toBe(true);
    const live = await api('GET', `/v1/subscriptions/${subscription.body.id}`);
    expect(live.body.nextBillingAt).toBe('2027-05-15T09:00:00.000Z');
    // One email per invoice (and the unpaid ones' collections send their reminders too).
    const emails = await api('GET', '/v1/outbox?to=ap@initech.test&limit=100');
    const subjects = (emails.body.data as { subject: string }[]).map((m) => m.subject);
    for (const { number } of invoices) {
      expect(subjects.filter((s) => s.includes(`invoice ${number}:`))).toHaveLength(1);
    }

    // The workflow carries the clock for the Temporal UI's filters.
    const client = await connectClient(
      { address: devServer.address, namespace: devServer.namespace, options: {} },
      testDataConverter,
    );
    try {
      await eventually('the workflow listed by TestClockId', async () => {
        for await (const workflow of client.workflow.list({
          query: `TestClockId = '${clockId}' AND SubscriptionId = '${subscription.body.id}'`,
        })) {
          return workflow.searchAttributes[TestClockId.name] !== undefined;
        }
        return false;
      });
    } finally {
      await client.connection.close();
    }

    const deleted = await api('DELETE', `/v1/test-clocks/${clockId}`);
    expect(deleted).toMatchObject({ status: 200, body: { deleted: true, customersDeleted: 1 } });
    expect((await api('GET', `/v1/customers/${customer.body.id}`)).status).toBe(404);
    expect((await api('GET', `/v1/test-clocks/${clockId}`)).status).toBe(404);
    expect(await invoicesOfCustomer()).toHaveLength(0);
  });
});

describe('project billing through the API on the dev server, on a test clock', () => {
  it('bills the EUR 1,000,000 example: deposit, an auto-approved milestone, the balance', async () => {
    const clock = await api('POST', '/v1/test-clocks', { frozenTime: '2027-02-01T09:00:00Z' });
    const customer = await api('POST', '/v1/customers', {
      name: 'Musée SA',
      email: 'compta@musee.test',
      currency: 'EUR',
      country: 'FR',
      timezone: 'Europe/Paris',
      locale: 'fr-FR',
      customerType: 'business',
      vatNumber: 'FR40303265045',
      testClockId: clock.body.id,
    });
    expect(customer.status).toBe(201);
    const created = await api('POST', '/v1/projects', {
      customerId: customer.body.id,
      name: 'Museum wing',
      currency: 'EUR',
      contractValue: 100_000_000,
      deposit: { percent: '15' },
      milestones: [
        {
          key: 'mid',
          name: 'Design approved',
          percent: '30',
          requiresApproval: true,
          autoApproveAfterDays: 10,
        },
        { key: 'done', name: 'Completion', balance: true },
      ],
    });
    expect(created.status).toBe(201);
    const projectId: string = created.body.id;
    const read = async () => (await api('GET', `/v1/projects/${projectId}`)).body;
    await eventually('the deposit invoice', async () => (await read()).invoices.length === 1);

    const completed = await api('POST', `/v1/projects/${projectId}/milestones/mid/complete`, {});
    expect(completed.status).toBe(200);
    expect((await read()).milestones[0].status).toBe('awaiting_approval');

    // Nobody answers: the clock passes the ten days and the milestone approves itself.
    await api('POST', `/v1/test-clocks/${clock.body.id}/advance`, {
      frozenTime: '2027-02-12T09:00:00Z',
    });
    await eventually(
      'the clock to be ready',
      async () => (await api('GET', `/v1/test-clocks/${clock.body.id}`)).body.status === 'ready',
      60_000,
    );
    expect((await read()).invoices).toHaveLength(2);

    expect(
      (await api('POST', `/v1/projects/${projectId}/milestones/done/complete`, {})).status,
    ).toBe(200);
    const project = await eventually('three invoices and the project closed', async () => {
      const body = await read();
      return body.invoices.length === 3 && body.status === 'completed' && body;
    });
    const invoices = await Promise.all(
      (project.invoices as { invoiceId: string }[]).map(
        async (i) => (await api('GET', `/v1/invoices/${i.invoiceId}`)).body,
      ),
    );
    expect(invoices.map((i) => i.subtotal.amount)).toEqual([15_000_000, 30_000_000, 55_000_000]);
    expect(invoices.map((i) => i.issuedAt)).toEqual([
      '2027-02-01T09:00:00.000Z',
      '2027-02-11T09:00:00.000Z',
      '2027-02-12T09:00:00.000Z',
    ]);
    // An Irish seller, a French business with a VAT number: reverse charge, no VAT charged.
    expect(invoices.map((i) => [i.tax.amount, i.total.amount])).toEqual([
      [0, 15_000_000],
      [0, 30_000_000],
      [0, 55_000_000],
    ]);
    expect(invoices.map((i) => String(i.number).slice(0, 5))).toEqual(['TEST-', 'TEST-', 'TEST-']);
    // Each project invoice is collected like any other: the deposit, due on receipt on
    // 1 February, is overdue by the 12th on the clock.
    const collections = [];
    for (const { id } of invoices as { id: string }[]) {
      collections.push(
        await eventually('the invoice collected', async () => {
          const read = await api('GET', `/v1/invoices/${id}/collection`);
          return read.status === 200 && read.body;
        }),
      );
    }
    expect(collections[0].status).toBe('overdue');
    expect(collections.every((c) => ['open', 'overdue'].includes(c.status))).toBe(true);
  });
});

describe('collections through the API on the dev server, on a test clock', () => {
  it('a manual invoice goes from draft to paid with a receipt; an unpaid one walks the whole policy in one advance', async () => {
    const clock = await api('POST', '/v1/test-clocks', { frozenTime: '2027-03-01T09:00:00Z' });
    const clockId: string = clock.body.id;
    const customer = await api('POST', '/v1/customers', {
      name: 'Hooli SARL',
      email: 'ops@hooli.test',
      currency: 'EUR',
      country: 'FR',
      timezone: 'Europe/Paris',
      locale: 'en-GB',
      paymentTermsDays: 14,
      testClockId: clockId,
    });
    expect(customer.status).toBe(201);
    const customerId: string = customer.body.id;
    const policy = await api('POST', '/v1/dunning-policies', {
      name: 'Hooli',
      customerId,
      beforeDue: { daysBefore: 3 },
      reminders: [
        { daysAfterDue: 1, tone: 'gentle' },
        { daysAfterDue: 7, tone: 'firm' },
      ],
      finalNotice: { daysAfterDue: 14, consequence: 'Your account will be paused.' },
      markUncollectibleAfterDays: 30,
      escalation: [
        { daysAfterDue: 1, action: 'past_due' },
        { daysAfterDue: 30, action: 'pause' },
      ],
      sendWindow: { start: '09:00', end: '17:00', weekdaysOnly: true },
    });
    expect(policy.status).toBe(201);
    const emailsTo = async () =>
      (await api('GET', '/v1/outbox?to=ops@hooli.test&limit=100')).body.data as {
        subject: string;
        createdAt: string;
      }[];

    // A manual invoice, from draft to paid, on the clock.
    const draft = await api('POST', '/v1/invoices', {
      customerId,
      lines: [{ description: 'Onboarding workshop', quantity: 1, unitPrice: 50_000 }],
    });
    expect(draft.body).toMatchObject({ status: 'draft', number: null });
    const finalized = await api('POST', `/v1/invoices/${draft.body.id}/finalize`, {});
    expect(finalized.body).toMatchObject({ status: 'open', issuedAt: '2027-03-01T09:00:00.000Z' });
    const payment = {
      amount: finalized.body.total.amount,
      method: 'bank transfer',
      reference: 'wire-hooli-1',
    };
    const paid = await api('POST', `/v1/invoices/${draft.body.id}/payments`, payment);
    expect(paid.status).toBe(201);
    expect(paid.body.invoice.status).toBe('paid');
    // The same payment posted twice is one payment.
    const again = await api('POST', `/v1/invoices/${draft.body.id}/payments`, payment);
    expect(again.body.payment.id).toBe(paid.body.payment.id);
    expect(again.body.invoice.status).toBe('paid');
    await eventually('the invoice email and one receipt', async () => {
      const subjects = (await emailsTo()).map((m) => m.subject);
      return subjects.filter((s) => /receipt/i.test(s)).length === 1 && subjects.length === 2;
    });
    // Paid without a paidAt: at the clock's time, as are the invoice email and the receipt the
    // collection sent (real time is months earlier).
    expect(paid.body.payment.paidAt).toBe('2027-03-01T09:00:00.000Z');
    expect((await emailsTo()).map((m) => m.createdAt)).toEqual([
      '2027-03-01T09:00:00.000Z',
      '2027-03-01T09:00:00.000Z',
    ]);

    // A subscription whose first invoice is never paid.
    await api('POST', '/v1/plans', {
      code: 'hooli-yearly',
      name: 'Hooli (yearly)',
      currency: 'EUR',
      interval: 'year',
      amount: 120_000,
    });
    const subscription = await api('POST', '/v1/subscriptions', {
      customerId,
      planCode: 'hooli-yearly',
    });
    expect(subscription.status).toBe(201);
    const unpaid = await eventually('the subscription invoice', async () => {
      const list = await api('GET', `/v1/invoices?customerId=${customerId}&limit=100`);
      return (list.body.data as { id: string; subscriptionId: string | null }[]).find(
        (i) => i.subscriptionId === subscription.body.id,
      );
    });

    await api('POST', `/v1/test-clocks/${clockId}/advance`, {
      frozenTime: '2027-04-20T09:00:00Z',
    });
    await eventually(
      'the clock to be ready',
      async () => (await api('GET', `/v1/test-clocks/${clockId}`)).body.status === 'ready',
      90_000,
    );

    // Due 15 March: a heads-up, two reminders, a final notice, then written off and paused.
    const invoice = (await api('GET', `/v1/invoices/${unpaid.id}`)).body;
    expect(invoice.status).toBe('uncollectible');
    const collection = (await api('GET', `/v1/invoices/${unpaid.id}/collection`)).body;
    expect(collection.status).toBe('uncollectible');
    const live = (await api('GET', `/v1/subscriptions/${subscription.body.id}`)).body;
    expect(live.status).toBe('paused');
    const number: string = invoice.number;
    const about = (await emailsTo()).filter((m) => m.subject.includes(number)).reverse(); // the outbox lists newest first
    // The invoice itself, then the four steps of the policy, in order, each sent at its own step
    // on the clock (one advance ran them all): due 15 March 10:00 Paris, so the heads-up on
    // 12 March, reminders on 16 and 22 March and the final notice on 29 March, each at 10:00
    // Paris, inside the weekday window (08:00 UTC once summer time starts on 28 March).
    expect(about.map((m) => [m.subject, m.createdAt])).toEqual([
      [expect.stringMatching(/^Your .* invoice /), '2027-03-01T09:00:00.000Z'],
      [expect.stringMatching(/^A friendly heads-up/), '2027-03-12T09:00:00.000Z'],
      [expect.stringMatching(/was due/), '2027-03-16T09:00:00.000Z'],
      [expect.stringMatching(/is overdue/), '2027-03-22T09:00:00.000Z'],
      [expect.stringMatching(/^Final notice/), '2027-03-29T08:00:00.000Z'],
    ]);
  });
});
