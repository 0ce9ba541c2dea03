// The spend-alert branch of the customer balance (scripts/record-histories.ts), which the
// customer-balance story cannot take (it has no subscription, so no period and no alert): a
// customer on a test clock with a usage subscription, a usage alert with a hard stop and an
// amount alert; usage pushed past the usage level, then past the amount level (each crossing
// recorded by its activity, once); the clock advanced past the period boundary, where a read
// resolves both crossings; the subscription canceled, so nothing billed keeps the balance live,
// and the workflow ends after an idle hour. All through the use cases the API calls.
import { createPlan } from '../../services/catalog.ts';
import { balanceChanged, customerBalance } from '../../services/balance.ts';
import { createSpendAlert } from '../../services/spend-alerts.ts';
import { cancelSubscription, createSubscription } from '../../services/subscriptions.ts';
import { advanceTestClock, createTestClock } from '../../services/test-clocks.ts';
import { cachedMetrics, createMetric, recordUsage } from '../../services/usage.ts';
import { customerBalanceWorkflowId, subscriptionWorkflowId } from '../../workflow-contracts/ids.ts';
import type { BalanceSnapshot } from '../../workflow-contracts/balance.ts';
import { testClockAdvanceWorkflowId } from '../../workflows/test-clock.ts';
import { balanceQuery } from '../../workflows/customer-balance-messages.ts';
import type { customerBalanceWorkflow } from '../../workflows/customer-balance.ts';
import { stateQuery } from '../../workflows/subscription-messages.ts';
import { replayCustomer, type Recording, type Story } from '../recording.ts';

const T0 = '2027-01-01T08:00:00.000Z'; // 09:00 in Paris
const MID_JANUARY = '2027-01-15T12:00:00.000Z';
const FEBRUARY = '2027-02-01T12:00:00.000Z';
const OPERATOR = { actor: 'key_recorder' };

export const customerBalanceAlerts: Story = {
  name: 'customer-balance-alerts',
  summary:
    'usage past a hard-stop usage alert, then an amount alert (each crossed once), both ' +
    'resolved after the period boundary, the subscription canceled, ended after an idle hour',
  environment: { BILLWRIGHT_OPERATOR_EMAIL: 'billing@example.test' },
  async play(recording) {
    const { db, client, env, config } = recording;
    const deps = { db, temporal: client };
    const clock = await createTestClock(deps, { frozenTime: T0, name: 'replay alerts' });
    const customer = await replayCustomer(db, 'Europe/Paris', { test_clock_id: clock.id });
    const subscriptionId = await subscribeToMeteredPlan(recording, customer.id);
    // 50 calls stop usage; EUR 15.00 rated (the EUR 10.00 base and 5 cents a call) is told.
    await createSpendAlert(deps, {
      customerId: customer.id,
      name: 'Fifty calls',
      kind: 'usage',
      metricCode: 'api_calls',
      units: '50',
      hardStop: true,
    });
    await createSpendAlert(deps, {
      customerId: customer.id,
      kind: 'amount',
      amount: { amount: 1500, currency: 'EUR' },
    });
    await advanceClock(recording, clock.id, MID_JANUARY);

    const usage = { ...deps, lateEvents: config.lateEvents, metrics: cachedMetrics(db) };
    let sent = 0;
    const ingest = async (count: number) => {
      const events = Array.from({ length: count }, () => ({
        transactionId: `replay-call-${++sent}`,
        customerId: customer.id,
        metricCode: 'api_calls',
        timestamp: '2027-01-14T10:00:00.000Z',
      }));
      const outcomes = await recordUsage(usage, events);
      if (outcomes.some((o) => o.status !== 'accepted')) throw new Error('usage not accepted');
    };
    const balance = client.workflow.getHandle<typeof customerBalanceWorkflow>(
      customerBalanceWorkflowId(customer.id),
    );
    const readAfter = async (batches: number, crossed: number) => {
      for (;;) {
        const { snapshot, pending, batches: read } = await balance.query(balanceQuery);
        if (snapshot && pending === 0 && read === batches) {
          const count = crossedAlerts(snapshot);
          if (count === crossed) return;
          throw new Error(`${count} spend alerts crossed after ${batches} batches, not ${crossed}`);
        }
        await pause();
      }
    };
    await ingest(30); // 30 calls, EUR 11.50: under both levels
    await readAfter(1, 0);
    await ingest(25); // 55 calls: the usage alert crosses
    await readAfter(2, 1);
    await ingest(50); // 105 calls, EUR 15.25: the amount alert crosses
    await readAfter(3, 2);
    await ingest(10); // past both: nothing crosses twice
    await readAfter(4, 2);

    // The boundary renews the subscription; the next read (asked by the balance's GET, as the
    // period it shows has ended) finds February under both levels and resolves January's.
    await advanceClock(recording, clock.id, FEBRUARY);
    const february = await customerBalance(deps, customer.id);
    if (february.periodStart === T0 || crossedAlerts(february) !== 0)
      throw new Error('the period boundary was not read');
    if ((february.spendAlerts ?? []).some((a) => a.unresolved))
      throw new Error('January’s crossings were not resolved');

    await cancelSubscription(deps, subscriptionId, {
      ...OPERATOR,
      reason: 'recorded',
    });
    await balanceChanged(deps, customer.id);
    // The time-skipping client skips the idle hour once nothing billed is left to keep live.
    const run = env.client.workflow.getHandle(customerBalanceWorkflowId(customer.id));
    await run.result();
    return run;
  },
};

/** The customer subscribed on their clock to a monthly plan of a base and metered calls. */
async function subscribeToMeteredPlan({ db, client, tax }: Recording, customerId: string) {
  const deps = { db, temporal: client };
  await createMetric(deps, { code: 'api_calls', name: 'API calls', aggregation: 'count' });
  await createPlan(deps, {
    code: 'replay-metered',
    name: 'Replay metered',
    currency: 'EUR',
    interval: 'month',
    intervalCount: 1,
    taxBehavior: 'exclusive',
    charges: {
      charges: [
        { key: 'base', type: 'flat', description: 'Base', billing: 'advance', amount: '1000' },
        {
          key: 'calls',
          type: 'usage',
          description: 'API calls',
          billing: 'arrears',
          metricCode: 'api_calls',
          pricing: { model: 'per_unit', unitPrice: '5' },
        },
      ],
    },
    createdBy: OPERATOR.actor,
  });
  const { id } = await createSubscription(
    { ...deps, tax },
    { customerId, planCode: 'replay-metered' },
  );
  // The first period is billed before usage is read against it.
  const subscription = client.workflow.getHandle(subscriptionWorkflowId(id));
  while ((await subscription.query(stateQuery)).invoicesIssued < 1) await pause();
  return id;
}

/** Advances the clock as POST /v1/test-clocks/:id/advance does, and waits for its walk. */
async function advanceClock({ db, client }: Recording, clockId: string, to: string) {
  await advanceTestClock({ db, temporal: client }, clockId, to);
  await client.workflow.getHandle(testClockAdvanceWorkflowId(clockId, to)).result();
}

function crossedAlerts(snapshot: BalanceSnapshot): number {
  return (snapshot.spendAlerts ?? []).filter((a) => a.crossedAt !== null).length;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 50));
