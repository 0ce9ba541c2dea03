// The test clock story for the replay test's history (scripts/record-histories.ts): a clock with
// a customer and a monthly subscription, advanced two months in one go; the advance walks the
// subscription through each renewal on the way, then sets the clock. Clocked workflows never
// wait on server time, so a plain client drives them (the environment's own would skip time).
import { newId } from '../../db/ids.ts';
import { createPlan } from '../../db/repositories/plans.ts';
import { insertSubscription } from '../../db/repositories/subscriptions.ts';
import { beginAdvance, insertTestClock } from '../../db/repositories/test-clocks.ts';
import { TestClockId } from '../../workflow-contracts/search-attributes.ts';
import type { PlanVersion } from '../../domain/catalog/types.ts';
import { subscriptionStartOptions } from '../../temporal/subscription-start.ts';
import type { subscriptionWorkflow } from '../../workflows/subscription.ts';
import { testClockAdvance, testClockAdvanceWorkflowId } from '../../workflows/test-clock.ts';
import { replayCustomer, type Story } from '../recording.ts';

const TZ = 'Europe/Paris';
const T0 = '2027-01-01T08:00:00.000Z'; // 09:00 in Paris
const TO = '2027-03-01T09:00:00.000Z';

export const testClockAdvanceStory: Story = {
  name: 'test-clock-advance',
  summary: 'a clock with a monthly subscription advanced two months, through two renewals',
  async play({ db, client, taskQueue }) {
    const clock = await insertTestClock(db, { id: newId('clock'), name: 'replay', frozenTime: T0 });
    const customer = await replayCustomer(db, TZ, { test_clock_id: clock.id });
    const terms: PlanVersion = {
      planCode: 'replay-clock',
      version: 1,
      currency: 'EUR',
      billingCycle: { interval: 'month', intervalCount: 1 },
      taxBehavior: 'exclusive',
      charges: [
        { key: 'base', type: 'flat', description: 'Base', billing: 'advance', amount: '4900' },
      ],
    };
    // Stored as POST /v1/plans and POST /v1/subscriptions store them.
    const created = await createPlan(db, {
      code: terms.planCode,
      name: 'Replay clock plan',
      createdBy: 'key_recorder',
      terms: { ...terms, ...terms.billingCycle },
    });
    const { plan, version } = created!;
    const subscriptionId = newId('sub');
    await insertSubscription(db, {
      id: subscriptionId,
      customerId: customer.id,
      planId: plan.id,
      planVersion: version.version,
      anchorAt: T0,
    });
    await client.workflow.start<typeof subscriptionWorkflow>('subscriptionWorkflow', {
      ...subscriptionStartOptions({
        subscriptionId,
        customerId: customer.id,
        planCode: plan.code,
        planName: plan.name,
        cycle: { interval: 'month', intervalCount: 1, anchor: T0, timezone: TZ },
        price: { amount: 4900, currency: 'EUR' },
        plan: terms,
        quantity: 1,
        testClock: { id: clock.id, now: T0 },
      }),
      taskQueue,
    });
    // As POST /v1/test-clocks/:id/advance does: mark the clock advancing, start the walk.
    if (!(await beginAdvance(db, clock.id, TO))) throw new Error('the clock would not advance');
    const handle = await client.workflow.start(testClockAdvance, {
      taskQueue,
      workflowId: testClockAdvanceWorkflowId(clock.id, TO),
      args: [{ clockId: clock.id, to: TO }],
      typedSearchAttributes: [{ key: TestClockId, value: clock.id }],
      staticSummary: `Advance test clock ${clock.id} from ${T0} to ${TO}`,
    });
    await handle.result();
    return handle;
  },
};
