// The spend alerts a balance read carries (docs/BALANCE.md): the enabled alerts on the customer
// and on the plans they run, each with the current period's value (usage of its metric, or the
// rated amount before tax) and its crossings, so the balance workflow compares them without an
// activity of its own on every read. A customer with no alert costs one indexed query.
import { currentCrossings, applicableSpendAlerts } from '../db/repositories/spend-alerts.ts';
import { getMetric } from '../db/repositories/metrics.ts';
import { aggregateUsage } from '../db/repositories/usage-aggregation.ts';
import type { Db } from '../db/connect.ts';
import type { SpendAlertReading } from '../domain/alerts/spend-alerts.ts';
import type { BalanceSnapshot } from '../workflow-contracts/balance.ts';

export async function spendAlertReadings(
  db: Db,
  snapshot: Pick<
    BalanceSnapshot,
    'customerId' | 'currency' | 'periodStart' | 'periodEnd' | 'ratedAmount' | 'readAt'
  >,
  planCodes: readonly string[],
): Promise<SpendAlertReading[]> {
  const { customerId, periodStart, periodEnd } = snapshot;
  if (periodStart === null || periodEnd === null) return []; // nothing billed: no period
  const alerts = await applicableSpendAlerts(db, customerId, planCodes);
  if (alerts.length === 0) return [];
  const crossings = await currentCrossings(db, customerId, new Date(periodStart));
  // Usage up to the customer's clock, as the rated amount counts it (later events wait for it).
  const from = new Date(periodStart);
  const to = new Date(Math.min(Date.parse(periodEnd), Date.parse(snapshot.readAt)));
  const readings: SpendAlertReading[] = [];
  const usage = new Map<string, string>();
  for (const alert of alerts) {
    let value: string;
    if (alert.kind === 'amount') {
      // Amounts in another currency than the balance's cannot be compared with it.
      if (alert.currency !== snapshot.currency) continue;
      value = String(snapshot.ratedAmount);
    } else {
      const code = alert.metric_code!;
      if (!usage.has(code)) {
        const metric = await getMetric(db, code);
        usage.set(
          code,
          metric && from < to ? await aggregateUsage(db, { customerId, metric, from, to }) : '0',
        );
      }
      value = usage.get(code)!;
    }
    const mine = crossings.filter((c) => c.alert_id === alert.id);
    const current = mine.find((c) => c.period_start.toISOString() === periodStart);
    readings.push({
      alertId: alert.id,
      name: alert.name,
      scope: alert.customer_id ? 'customer' : 'plan',
      kind: alert.kind,
      metricCode: alert.metric_code,
      level: alert.kind === 'amount' ? String(alert.amount) : alert.units!,
      currency: alert.currency,
      hardStop: alert.hard_stop,
      value,
      crossedAt: current ? current.crossed_at.toISOString() : null,
      unresolved: mine.some((c) => c !== current && c.resolved_at === null),
    });
  }
  return readings;
}
