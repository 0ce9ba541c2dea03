// Invoice PDFs are printed by their own activity on their own task queue (billwright-render): a
// worker polling only the billing queue leaves a subscription's period invoice waiting on
// printing (issued and rendered, not printed, not emailed); a render worker, as production builds
// it, prints it once and the email then goes out with the stored PDF attached.
// Time-skipping server, real activities on real PostgreSQL, a counting stand-in for Chromium.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { getInvoiceDocument, getInvoicePdf } from '../../db/repositories/invoice-documents.ts';
import { subscriptionStartOptions } from '../../temporal/subscription-start.ts';
import { RENDER_TASK_QUEUE } from '../../temporal/task-queues.ts';
import { createRenderWorker } from '../../temporal/worker.ts';
import type { subscriptionWorkflow } from '../../workflows/subscription.ts';
import { realActivities } from '../support/activities.ts';
import { flatPlanVersion } from '../support/builders/plans.ts';
import { newSubscribedCustomer } from '../support/builders/subscriptions.ts';
import { countingPrinter } from '../support/counting-printer.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import {
  createTestWorker,
  createTimeSkippingEnvironment,
  eventually,
  testDataConverter,
} from '../support/temporal.ts';

let env: TestWorkflowEnvironment;
let testDb: TestDatabase;

beforeAll(async () => {
  [env, testDb] = await Promise.all([createTimeSkippingEnvironment(), createTestDatabase()]);
}, 120_000);

afterAll(async () => {
  await env?.teardown();
  await testDb?.destroy();
});

const issuedEmails = (invoiceId: string) =>
  testDb.db
    .selectFrom('outbox_messages')
    .selectAll()
    .where('idempotency_key', '=', `invoice/${invoiceId}/issued`)
    .execute();

/** The subscription's invoice `index` (0 the first), once its HTML is stored. */
function renderedInvoice(subscriptionId: string, index: number) {
  return eventually(`invoice ${index} rendered`, async () => {
    const invoices = await testDb.db
      .selectFrom('invoices')
      .select(['id', 'number'])
      .where('subscription_id', '=', subscriptionId)
      .orderBy('period_start')
      .execute();
    const invoice = invoices[index];
    return invoice && (await getInvoiceDocument(testDb.db, invoice.id, 'html'))
      ? invoice
      : undefined;
  });
}

/** printInvoicePdf scheduled `count` times, each on the render queue, the last still pending. */
async function waitingOnPrinting(handle: WorkflowHandle, count: number): Promise<void> {
  await eventually('printing pending', async () => {
    const { raw } = await handle.describe();
    return (raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'printInvoicePdf');
  });
  const scheduled = (await handle.fetchHistory()).events!.flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    return a?.activityType?.name === 'printInvoicePdf' ? [a.taskQueue?.name] : [];
  });
  expect(scheduled).toEqual(Array.from({ length: count }, () => RENDER_TASK_QUEUE));
}

/** A render worker as production builds it, run until the invoice's email has gone out. */
async function renderUntilEmailed(worker: Worker, invoiceId: string) {
  await worker.runUntil(
    eventually('the invoice emailed', async () => {
      const sent = await issuedEmails(invoiceId);
      return sent.length === 1 ? sent : undefined;
    }),
  );
}

test('a billing-only worker leaves the period invoice waiting on printing; a render worker prints it', async () => {
  const pdf = countingPrinter();
  const activities = realActivities(testDb.db, loadConfig({}), { pdf });
  const taskQueue = `billing-only-${randomUUID()}`;
  const billing = await createTestWorker(env, { taskQueue, activities, render: false });
  const renderWorker = () =>
    createRenderWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      dataConverter: testDataConverter,
      dependencies: { db: testDb.db, pdf },
    });

  await billing.runUntil(async () => {
    const anchor = new Date(await env.currentTimeMs()).toISOString();
    const { customer, plan, subscriptionId } = await newSubscribedCustomer(testDb.db, {
      subscription: { anchorAt: anchor },
    });
    const handle = await env.client.workflow.start<typeof subscriptionWorkflow>(
      'subscriptionWorkflow',
      {
        ...subscriptionStartOptions({
          subscriptionId,
          customerId: customer.id,
          planCode: plan.code,
          planName: plan.name,
          cycle: { interval: 'month', intervalCount: 1, anchor, timezone: 'Europe/Paris' },
          price: { amount: plan.amount, currency: plan.currency },
          plan: flatPlanVersion(plan),
        }),
        taskQueue,
      },
    );
    try {
      // The period's invoice: issued and rendered, then waiting on printing: no PDF, no email.
      const first = await renderedInvoice(subscriptionId, 0);
      await waitingOnPrinting(handle, 1);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // still waiting a moment later
      expect(pdf.prints).toBe(0);
      expect(await getInvoicePdf(testDb.db, first.id)).toBeUndefined();
      expect(await issuedEmails(first.id)).toHaveLength(0);

      await renderUntilEmailed(await renderWorker(), first.id);
      expect(pdf.prints).toBe(1);
      const [email] = await issuedEmails(first.id);
      const stored = await getInvoicePdf(testDb.db, first.id);
      expect(email!.attachments).toEqual([
        {
          filename: `${first.number}.pdf`,
          contentType: 'application/pdf',
          content: stored!.pdf.toString('base64'),
        },
      ]);
    } finally {
      await handle.terminate('test over').catch(() => undefined);
    }
  });
}, 120_000);
