// The balance workflow's spend-alert hook (docs/BALANCE.md): after each read, compare the
// snapshot's alerts with their levels in the workflow (pure, deterministic) and call the one
// activity only when a level was reached this period or an earlier crossing resolved, so a read
// with nothing new costs no activity at thousands of events per second.
import { proxyActivities } from '@temporalio/workflow';
import type { SpendAlertActivities } from '../activities/spend-alerts.ts';
import { hasChanges, spendAlertChanges, withChanges } from '../domain/alerts/spend-alerts.ts';
import type { BalanceSnapshot } from '../workflow-contracts/balance.ts';
import { quickStep } from './activity-options.ts';

const { recordSpendAlertChanges } = proxyActivities<SpendAlertActivities>(quickStep);

/** The snapshot with its alerts' crossings and resolutions recorded (once each). */
export async function watchSpendAlerts(snapshot: BalanceSnapshot): Promise<BalanceSnapshot> {
  const readings = snapshot.spendAlerts ?? [];
  const changes = spendAlertChanges(readings);
  if (!hasChanges(changes) || snapshot.periodStart === null) return snapshot;
  await recordSpendAlertChanges.executeWithOptions(
    {
      summary:
        `Spend alerts of ${snapshot.customerId}: ${changes.crossed.length} crossed, ` +
        `${changes.resolved.length} resolved`,
    },
    [
      {
        customerId: snapshot.customerId,
        periodStart: snapshot.periodStart,
        periodEnd: snapshot.periodEnd,
        at: snapshot.readAt,
        ...changes,
      },
    ],
  );
  return { ...snapshot, spendAlerts: withChanges(readings, changes, snapshot.readAt) };
}
