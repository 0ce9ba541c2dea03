// The collection row's progress on real PostgreSQL: how far the schedule got (reminders sent,
// the last step and reminder) only moves forward, whatever order the reports arrive in, so a
// replayed or stale report (an earlier run's activity retried late) never lowers it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectionReached,
  getCollection,
  openCollectionRow,
  updateCollectionRow,
} from '../../db/repositories/collections.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertCustomer } from '../support/builders/customers.ts';
import { insertInvoiceRow } from '../support/builders/invoices.ts';

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});

afterAll(async () => {
  await testDb?.destroy();
});

async function collection() {
  const customerId = (await insertCustomer(testDb.db)).id;
  const invoiceId = await insertInvoiceRow(testDb.db, { customer_id: customerId });
  await openCollectionRow(testDb.db, {
    invoiceId,
    customerId,
    workflowId: `collection-${invoiceId}`,
    policyId: null,
    status: 'open',
  });
  return invoiceId;
}

const reachedOf = async (invoiceId: string) =>
  collectionReached((await getCollection(testDb.db, invoiceId))!);

describe('collection progress', () => {
  it('starts at nothing reached', async () => {
    const invoiceId = await collection();
    expect(await reachedOf(invoiceId)).toEqual({
      remindersSent: 0,
      lastStep: null,
      lastReminderAt: null,
      stepsPerformed: 0,
    });
  });

  it('moves forward with each report, and a stale report lowers nothing', async () => {
    const invoiceId = await collection();
    const report = (n: number, key: string, at: string, steps: number) =>
      updateCollectionRow(testDb.db, invoiceId, {
        status: 'overdue',
        remindersSent: n,
        lastStep: { key, at },
        lastReminderAt: at,
        stepsPerformed: steps,
      });
    await report(2, 'overdue-1d', '2027-02-01T14:00:00.000Z', 1);
    await report(3, 'overdue-7d', '2027-02-07T14:00:00.000Z', 2);
    const forward = {
      remindersSent: 3,
      lastStep: { key: 'overdue-7d', at: '2027-02-07T14:00:00.000Z' },
      lastReminderAt: '2027-02-07T14:00:00.000Z',
      stepsPerformed: 2,
    };
    const stepEvents = () =>
      testDb.db
        .selectFrom('webhook_events')
        .select('payload')
        .where('type', '=', 'collection.step_sent')
        .where('object_id', '=', invoiceId)
        .orderBy('seq')
        .execute();
    expect(await reachedOf(invoiceId)).toEqual(forward);

    // The earlier report again (a retry that arrived late), then a new run's first report
    // before it read the row: neither takes the count, the step or the reminder back.
    await report(2, 'overdue-1d', '2027-02-01T14:00:00.000Z', 1);
    await updateCollectionRow(testDb.db, invoiceId, {
      status: 'overdue',
      remindersSent: 0,
      lastStep: null,
      lastReminderAt: null,
      stepsPerformed: 0,
    });
    expect(await reachedOf(invoiceId)).toEqual(forward);
    // One collection.step_sent per step performed; the replays wrote none.
    expect(
      (await stepEvents()).map((e) => (e.payload as { data: { object: unknown } }).data.object),
    ).toEqual([
      expect.objectContaining({ step: 1, key: 'overdue-1d', kind: 'reminder' }),
      expect.objectContaining({ step: 2, key: 'overdue-7d', kind: 'reminder' }),
    ]);
    // What is not progress is written as reported.
    await updateCollectionRow(testDb.db, invoiceId, { status: 'paid', ended: true });
    expect(await getCollection(testDb.db, invoiceId)).toMatchObject({
      status: 'paid',
      ended: true,
      reminders_sent: 3,
    });
  });

  it('an escalation step after the last reminder moves the step, not the reminder', async () => {
    const invoiceId = await collection();
    await updateCollectionRow(testDb.db, invoiceId, {
      remindersSent: 1,
      lastStep: { key: 'final-notice', at: '2027-02-21T14:00:00.000Z' },
      lastReminderAt: '2027-02-21T14:00:00.000Z',
      stepsPerformed: 1,
    });
    await updateCollectionRow(testDb.db, invoiceId, {
      remindersSent: 1,
      lastStep: { key: 'pause', at: '2027-03-02T14:00:00.000Z' },
      lastReminderAt: '2027-02-21T14:00:00.000Z',
      stepsPerformed: 2,
    });
    expect(await reachedOf(invoiceId)).toEqual({
      remindersSent: 1,
      lastStep: { key: 'pause', at: '2027-03-02T14:00:00.000Z' },
      lastReminderAt: '2027-02-21T14:00:00.000Z',
      stepsPerformed: 2,
    });
  });
});
