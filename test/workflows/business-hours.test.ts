// Invoice emails wait for the operator's sending window in the customer's zone: on the
// time-skipping server, an invoice issued at 02:00 in Paris is emailed at 09:00 Paris time.
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realActivities } from '../support/activities.ts';
import { loadConfig } from '../../config/index.ts';
import type { BillingCycle } from '../../domain/core/periods.ts';
import { subscriptionStartOptions } from '../../temporal/subscription-start.ts';
import type { subscriptionWorkflow } from '../../workflows/subscription.ts';
import { cancelUpdate, stateQuery } from '../../workflows/subscription-messages.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { flatPlanVersion } from '../support/builders/plans.ts';
import { newSubscribedCustomer } from '../support/builders/subscriptions.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  createTestWorker,
} from '../support/temporal.ts';
import { TEST_PAYLOAD_KEYS } from '../support/payload-keys.ts';
import { createEncryptionCodec } from '../../temporal/payload-codec.ts';

const ZONE = 'Europe/Paris';
const MINUTE = 60_000;

let env: TestWorkflowEnvironment;
let testDb: TestDatabase;

beforeAll(async () => {
  [env, testDb] = await Promise.all([createTimeSkippingEnvironment(), createTestDatabase()]);
});

afterAll(async () => {
  await env?.teardown();
  await testDb?.destroy();
});

describe('invoice email in business hours', () => {
  it('holds an invoice issued at 02:00 local until 09:00 local', async () => {
    const config = loadConfig({ EMAIL_SEND_WINDOW: '09:00-18:00,weekdays' });
    expect(config.emailSendWindow).toEqual({ start: '09:00', end: '18:00', weekdaysOnly: true });
    const activities = realActivities(testDb.db, config);
    // Virtual time at which each email activity ran.
    const emailedAt: number[] = [];
    const taskQueue = `test-${randomUUID()}`;
    const worker = await createTestWorker(env, {
      taskQueue,
      activities: {
        ...activities,
        async emailInvoice(input: Parameters<typeof activities.emailInvoice>[0]) {
          emailedAt.push(await env.currentTimeMs());
          return activities.emailInvoice(input);
        },
      },
    });

    await worker.runUntil(async () => {
      // Next Tuesday, 02:00 in Paris: a weekday, so the window opens the same morning.
      let anchorLocal = DateTime.fromMillis(await env.currentTimeMs(), { zone: ZONE })
        .plus({ days: 1 })
        .set({ hour: 2, minute: 0, second: 0, millisecond: 0 });
      while (anchorLocal.weekday !== 2) anchorLocal = anchorLocal.plus({ days: 1 });
      const anchor = anchorLocal.toISO()!;

      const { customer, plan, subscriptionId } = await newSubscribedCustomer(testDb.db, {
        customer: { timezone: ZONE },
        subscription: { anchorAt: anchor },
      });
      const cycle: BillingCycle = { interval: 'month', intervalCount: 1, anchor, timezone: ZONE };
      const handle = await env.client.workflow.start<typeof subscriptionWorkflow>(
        'subscriptionWorkflow',
        {
          ...subscriptionStartOptions({
            subscriptionId,
            customerId: customer.id,
            planCode: plan.code,
            planName: plan.name,
            cycle,
            price: { amount: plan.amount, currency: plan.currency },
            plan: flatPlanVersion(plan),
          }),
          taskQueue,
        },
      );

      try {
        // 03:00: the invoice is issued (at 02:00), its email is held.
        await env.sleep(anchorLocal.plus({ hours: 1 }).toMillis() - (await env.currentTimeMs()));
        const invoice = await eventually('the invoice', () =>
          testDb.db
            .selectFrom('invoices')
            .select(['id', 'issued_at'])
            .where('subscription_id', '=', subscriptionId)
            .executeTakeFirst(),
        );
        expect(DateTime.fromJSDate(invoice.issued_at!, { zone: ZONE }).hour).toBe(2);
        expect(emailedAt).toEqual([]);

        // 09:05: the window opened at 09:00 and the email went out then.
        await env.sleep(
          anchorLocal.set({ hour: 9, minute: 5 }).toMillis() - (await env.currentTimeMs()),
        );
        await eventually(
          'the invoice email',
          async () => (await handle.query(stateQuery)).invoicesIssued === 1,
        );
        expect(emailedAt).toHaveLength(1);
        const sentLocal = DateTime.fromMillis(emailedAt[0]!, { zone: ZONE });
        expect(sentLocal.toFormat('yyyy-MM-dd HH:mm')).toBe(
          `${anchorLocal.toFormat('yyyy-MM-dd')} 09:00`,
        );
        expect(emailedAt[0]! - anchorLocal.set({ hour: 9 }).toMillis()).toBeLessThan(MINUTE);
        const delivery = await testDb.db
          .selectFrom('email_deliveries')
          .select(['status', 'kind'])
          .where('invoice_id', '=', invoice.id)
          .execute();
        expect(delivery).toEqual([{ status: 'sent', kind: 'invoice_issued' }]);

        // The hold is visible in the Temporal UI with its reason (decrypted, as the UI does
        // through the codec endpoint: history holds it encrypted).
        const history = await handle.fetchHistory();
        const codec = createEncryptionCodec(TEST_PAYLOAD_KEYS);
        const summaries = await Promise.all(
          (history.events ?? [])
            .filter((e) => e.timerStartedEventAttributes && e.userMetadata?.summary)
            .map(async (e) => {
              const [summary] = await codec.decode([e.userMetadata!.summary!]);
              return Buffer.from(summary?.data ?? []).toString('utf8');
            }),
        );
        expect(
          summaries.some((s) => /Hold invoice email .* until 09:00 Europe\/Paris/.test(s)),
        ).toBe(true);
      } finally {
        await handle.executeUpdate(cancelUpdate, { args: [{ actor: 'key_test' }] });
      }
    });
  });
});
