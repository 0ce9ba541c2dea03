// The subscription story for the replay test's history (scripts/record-histories.ts): renewals
// with flat, per-seat and usage charges after a trial, pause, resume on both anchors, an upgrade
// applied now and a downgrade left for the boundary, a threshold billing request, cancel.
import { billingPeriod } from '../../domain/core/periods.ts';
import { subscriptionStartOptions } from '../../temporal/subscription-start.ts';
import type { subscriptionWorkflow } from '../../workflows/subscription.ts';
import type { PlanVersion } from '../../domain/catalog/types.ts';
import { createMetric } from '../../db/repositories/metrics.ts';
import {
  cancelUpdate,
  changeUpdate,
  pauseUpdate,
  resumeUpdate,
  stateQuery,
} from '../../workflows/subscription-messages.ts';
import { thresholdInvoiceUpdate } from '../../workflow-contracts/thresholds.ts';
import { replayCustomer, replaySubscription, type Recording, type Story } from '../recording.ts';

export const subscription: Story = {
  name: 'subscription',
  summary: 'renewals after a trial, pause, resume on both anchors, upgrade, downgrade, cancel',
  async play(recording) {
    const { env } = recording;
    const { handle, cycle, terms } = await startRecordedSubscription(recording);
    const until = async (instant: string, invoices: number) => {
      await env.sleep(Date.parse(instant) + 3_600_000 - (await env.currentTimeMs()));
      while ((await handle.query(stateQuery)).invoicesIssued < invoices) await env.sleep(1000);
    };
    const operator = { actor: 'key_recorder' };
    await until(billingPeriod(cycle, 1).start, 2);
    await handle.executeUpdate(pauseUpdate, { args: [{ ...operator, reason: 'holiday' }] });
    await env.sleep(40 * 86_400_000);
    await handle.executeUpdate(resumeUpdate, { args: [{ ...operator, anchor: 'keep' }] });
    await until(billingPeriod(cycle, 4).start, 3);
    await handle.executeUpdate(pauseUpdate, { args: [operator] });
    await handle.executeUpdate(resumeUpdate, { args: [{ ...operator, anchor: 'reset' }] });
    await env.sleep(5000);
    // An upgrade applied now (credit and charge), then a downgrade left for the boundary.
    await env.sleep(3 * 86_400_000);
    await handle.executeUpdate(changeUpdate, {
      args: [{ ...operator, plan: terms(2, '500'), quantity: 3 }],
    });
    await handle.executeUpdate(changeUpdate, {
      args: [{ ...operator, plan: terms(3, '300'), quantity: 1 }],
    });
    // Threshold billing asks for an interim invoice (no usage yet: nothing is due).
    const { openPeriod } = await handle.query(stateQuery);
    await handle.executeUpdate(thresholdInvoiceUpdate, {
      args: [{ periodEnd: openPeriod!.end, sequence: 1, unbilled: 0, currency: 'EUR' }],
    });
    await handle.executeUpdate(cancelUpdate, { args: [{ ...operator, reason: 'recorded' }] });
    await handle.result();
    return handle;
  },
};

/**
 * The recorded subscription started: the replay customer on a plan version of flat, per-seat
 * (two seats) and usage charges, in a trial until its anchor a day from now.
 */
export async function startRecordedSubscription({ db, env, taskQueue }: Recording) {
  const customer = await replayCustomer(db, 'Europe/Paris');
  const anchor = new Date((await env.currentTimeMs()) + 86_400_000).toISOString();
  const { plan, subscriptionId } = await replaySubscription(db, {
    customerId: customer.id,
    status: 'active',
    anchor,
  });
  const cycle = {
    interval: 'month' as const,
    intervalCount: 1,
    anchor,
    timezone: 'Europe/Paris',
  };
  // A plan version of flat, per-seat and usage charges and a trial until the anchor.
  await createMetric(db, { code: 'replay_calls', name: 'Replay calls', aggregation: 'count' });
  const terms = (version: number, seatPrice: string): PlanVersion => ({
    planCode: plan.code,
    version,
    currency: 'EUR',
    billingCycle: { interval: 'month', intervalCount: 1 },
    taxBehavior: 'exclusive',
    charges: [
      { key: 'base', type: 'flat', description: 'Base', billing: 'advance', amount: '2500' },
      {
        key: 'seats',
        type: 'per_seat',
        description: 'Seats',
        billing: 'advance',
        unitAmount: seatPrice,
      },
      {
        key: 'calls',
        type: 'usage',
        description: 'Calls',
        billing: 'arrears',
        metricCode: 'replay_calls',
        pricing: { model: 'per_unit', unitPrice: '1' },
      },
    ],
  });
  const handle = await env.client.workflow.start<typeof subscriptionWorkflow>(
    'subscriptionWorkflow',
    {
      ...subscriptionStartOptions({
        subscriptionId,
        customerId: customer.id,
        planCode: plan.code,
        planName: plan.name,
        cycle,
        price: { amount: 2500, currency: 'EUR' },
        plan: terms(1, '300'),
        quantity: 2,
        trialEnd: anchor,
      }),
      taskQueue,
    },
  );
  return { handle, cycle, terms, subscriptionId };
}
