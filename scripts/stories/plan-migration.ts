// The plan-migration story for the replay test's history (scripts/record-histories.ts): a plan
// with two subscriptions on version 1 and one on version 2, migrated to version 2 at period end
// as POST /v1/plans/{code}/migrations does: two moved, one skipped.
import { newId } from '../../db/ids.ts';
import {
  addPlanVersion,
  createPlan,
  getPlanWithCurrentVersion,
  toCatalogVersion,
} from '../../db/repositories/plans.ts';
import type { Charge } from '../../domain/catalog/types.ts';
import { advancePerPeriod } from '../../domain/invoicing/period-invoice.ts';
import { startPlanMigration } from '../../services/plan-migrations.ts';
import { subscriptionStartOptions } from '../../temporal/subscription-start.ts';
import type { planMigrationWorkflow } from '../../workflows/plan-migration.ts';
import type { subscriptionWorkflow } from '../../workflows/subscription.ts';
import { stateQuery } from '../../workflows/subscription-messages.ts';
import { replayCustomer, type Recording, type Story } from '../recording.ts';
import { planMigrationWorkflowId } from '../../workflow-contracts/ids.ts';

const flat = (amount: number): Charge[] => [
  { key: 'base', type: 'flat', description: 'Pro', billing: 'advance', amount: String(amount) },
];
const terms = (amount: number) => ({
  currency: 'EUR',
  interval: 'month' as const,
  intervalCount: 1,
  taxBehavior: 'exclusive' as const,
  charges: flat(amount),
});

/** A running subscription on the plan's current version, its first period invoiced. */
async function subscribe({ db, env, taskQueue }: Recording, customerId: string, planCode: string) {
  const { plan, version: stored } = (await getPlanWithCurrentVersion(db, planCode))!;
  const version = toCatalogVersion(stored);
  const subscriptionId = newId('sub');
  const anchor = new Date(await env.currentTimeMs()).toISOString();
  await db
    .insertInto('subscriptions')
    .values({
      id: subscriptionId,
      customer_id: customerId,
      plan_id: plan.id,
      plan_version: version.version,
      status: 'active',
      anchor_at: anchor,
    })
    .execute();
  const handle = await env.client.workflow.start<typeof subscriptionWorkflow>(
    'subscriptionWorkflow',
    {
      ...subscriptionStartOptions({
        subscriptionId,
        customerId,
        planCode,
        planName: plan.name,
        cycle: { interval: 'month', intervalCount: 1, anchor, timezone: 'Europe/Paris' },
        price: advancePerPeriod({ plan: version, quantity: 1 }),
        plan: version,
        quantity: 1,
      }),
      taskQueue,
    },
  );
  while ((await handle.query(stateQuery)).invoicesIssued < 1) await env.sleep(1000);
}

export const planMigration: Story = {
  name: 'plan-migration',
  summary: 'two subscriptions moved to version 2 at period end, one already there skipped',
  async play(recording) {
    const { db, env } = recording;
    const customer = await replayCustomer(db, 'Europe/Paris');
    const code = 'replay-pro';
    await createPlan(db, { code, name: 'Replay Pro', terms: terms(4900), createdBy: 'recorder' });
    await subscribe(recording, customer.id, code);
    await subscribe(recording, customer.id, code);
    await addPlanVersion(db, { planCode: code, terms: terms(5900), createdBy: 'recorder' });
    await subscribe(recording, customer.id, code);
    const migration = await startPlanMigration(
      { db, temporal: env.client },
      { planCode: code, toVersion: 2, applyAt: 'period_end', actor: 'key_recorder' },
    );
    const handle = env.client.workflow.getHandle<typeof planMigrationWorkflow>(
      planMigrationWorkflowId(migration.id),
    );
    await handle.result();
    return handle;
  },
};
