// `npm start` without DATABASE_URL runs on embedded PGlite: the same migrations and the same
// queries must work there as on PostgreSQL (int8 parsing, upserts, locks, text[] and jsonb).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Db } from '../../db/connect.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { migrations } from '../../db/migrations/index.ts';
import { createApiKey, findActiveApiKey } from '../../db/repositories/api-keys.ts';
import { getInvoiceLines } from '../../db/repositories/invoices.ts';
import { createDraftInvoice } from '../../db/repositories/invoice-drafts.ts';
import { createPeriodInvoice } from '../../db/repositories/invoice-issuing.ts';
import type { LineArithmetic } from '../../domain/invoicing/line-arithmetic.ts';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import { recordSubscriptionTransition } from '../../db/repositories/subscription-transitions.ts';
import {
  claimWorkflowStarts,
  markWorkflowStarted,
  markWorkflowStartFailed,
  pendingWorkflowStarts,
  recordWorkflowStarts,
} from '../../db/repositories/workflow-starts.ts';
import { createOutboxSender } from '../../email/outbox-sender.ts';
import { insertCustomer } from '../support/builders/customers.ts';
import { finalizeOptions } from '../support/builders/invoices.ts';
import { newSubscribedCustomer } from '../support/builders/subscriptions.ts';

let db: Db;

beforeAll(async () => {
  db = await connectDatabase({}); // in-memory PGlite
  expect(await migrateToLatest(db)).toEqual(Object.keys(migrations));
});

afterAll(async () => {
  await db?.destroy();
});

describe('embedded PGlite', () => {
  it('runs the migrations once', async () => {
    expect(await migrateToLatest(db)).toEqual([]);
  });

  it('creates an invoice once per period, numbered without gaps, with int8 money as numbers', async () => {
    const { customer, plan, subscriptionId } = await newSubscribedCustomer(db, {
      plan: { amount: 900_719_925_474 },
      subscription: { anchorAt: '2027-01-01T00:00:00Z' },
    });
    const invoice = (periodStart: string, periodEnd: string) =>
      createPeriodInvoice(
        db,
        {
          customerId: customer.id,
          subscriptionId,
          billingKey: `${periodStart}/boundary`,
          currency: 'EUR',
          periodStart,
          periodEnd,
          issuedAt: periodStart,
          dueAt: periodStart,
          lines: [
            {
              description: 'Pro',
              quantity: '1',
              unitAmount: String(plan.amount),
              amount: plan.amount,
            },
          ],
        },
        finalizeOptions(),
      );
    const first = await invoice('2027-01-01T00:00:00Z', '2027-02-01T00:00:00Z');
    const again = await invoice('2027-01-01T00:00:00Z', '2027-02-01T00:00:00Z');
    const second = await invoice('2027-02-01T00:00:00Z', '2027-03-01T00:00:00Z');
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, invoice: { id: first.invoice.id } });
    expect([first.invoice.number, second.invoice.number]).toEqual([
      'INV-2027-000001',
      'INV-2027-000002',
    ]);
    expect(first.invoice.subtotal).toBe(900_719_925_474);
    expect((await getInvoiceLines(db, first.invoice.id))[0]!.amount).toBe(900_719_925_474);

    await recordSubscriptionTransition(db, {
      subscriptionId,
      from: 'active',
      to: 'paused',
      actor: 'key_x',
      occurredAt: '2027-01-05T00:00:00Z',
      idempotencyKey: 'k1',
    });
    const row = await db
      .selectFrom('subscriptions')
      .select('status')
      .where('id', '=', subscriptionId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('paused');
  });

  it('stores outbox messages (text[] and jsonb) and API keys', async () => {
    const sender = createOutboxSender(db);
    const message = {
      from: 'a@b.test',
      to: ['c@d.test'],
      subject: 'Hi',
      html: '<p>Hi</p>',
      text: 'Hi',
    };
    const one = await sender.send(message, { idempotencyKey: 'invoice/x/issued' });
    const two = await sender.send(message, { idempotencyKey: 'invoice/x/issued' });
    expect(two.messageId).toBe(one.messageId);
    expect(await listOutboxMessages(db, { to: 'c@d.test', limit: 10 })).toHaveLength(1);

    const { id, key } = await createApiKey(db, 'pglite');
    expect((await findActiveApiKey(db, key))?.id).toBe(id);
  });

  it('keeps a line’s numeric quantity and unit price as exact strings, and its arithmetic', async () => {
    const customer = await insertCustomer(db);
    const arithmetic: LineArithmetic = {
      kind: 'charge',
      chargeKey: 'storage',
      billing: 'arrears',
      usedQuantity: '22.5',
      freeUnits: '10',
      components: [{ label: 'per unit', quantity: '12.5', unitPrice: '0.06', amount: '0.75' }],
      proration: { numerator: 19, denominator: 28 },
      cappedAt: null,
      explanation: ['12.5 × EUR 0.0006 = EUR 0.0075'],
    };
    const draft = await createDraftInvoice(db, {
      customerId: customer.id,
      currency: 'EUR',
      lines: [
        { description: 'Storage', quantity: '12.50', unitAmount: '0.060', amount: 1, arithmetic },
        { description: 'Tiers', quantity: '3', unitAmount: null, amount: 9 },
      ],
    });
    const [storage, tiers] = await getInvoiceLines(db, draft.id);
    expect(storage).toMatchObject({ quantity: '12.5', unit_amount: '0.06', amount: 1, arithmetic });
    expect(tiers).toMatchObject({ quantity: '3', unit_amount: null, arithmetic: null });
    await expect(
      createDraftInvoice(db, {
        customerId: customer.id,
        currency: 'EUR',
        lines: [{ description: 'x', quantity: '-1', unitAmount: '1', amount: 0 }],
      }),
    ).rejects.toMatchObject({ field: 'lines[0].quantity' });
  });
  it('keeps the workflow_starts outbox: recorded once, claimed when due, retried, marked', async () => {
    const start = {
      kind: 'collection' as const,
      workflowId: 'collection-inv_pglite',
      payload: { invoiceId: 'inv_pglite', reason: 'finalized' },
    };
    const [id] = await db
      .transaction()
      .execute((trx) => recordWorkflowStarts(trx, [start], 60_000));
    const again = await db.transaction().execute((trx) => recordWorkflowStarts(trx, [start], 0));
    expect(again).toEqual([id]);
    // Claimed by its writer for a minute: not due for the drainer, but claimable by id.
    expect(await claimWorkflowStarts(db, { limit: 10, claimMs: 1_000 })).toEqual([]);
    const [claimed] = await claimWorkflowStarts(db, { limit: 10, claimMs: 1_000, ids: [id!] });
    expect(claimed).toMatchObject({ id, attempts: 1, payload: start.payload });
    await markWorkflowStartFailed(db, id!, 'UNAVAILABLE', 0);
    const [due] = await claimWorkflowStarts(db, { limit: 10, claimMs: 1_000 });
    expect(due).toMatchObject({ id, attempts: 2, last_error: 'UNAVAILABLE' });
    await markWorkflowStarted(db, id!);
    expect(await pendingWorkflowStarts(db)).toEqual([]);
  });
});
