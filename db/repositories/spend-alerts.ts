// Spend alerts and their crossings (docs/BALANCE.md). A crossing is unique by (alert, customer,
// period): recorded with its webhook event in one transaction, so a retried or replayed activity
// writes nothing twice; a resolution marks it once, with its own event.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, SpendAlert, SpendAlertCrossing, SpendAlertsTable } from '../database.ts';
import type { Insertable } from 'kysely';
import { newId } from '../ids.ts';
import { recordEvent } from './webhook-events.ts';

type Executor = Kysely<Database> | Transaction<Database>;

export type NewSpendAlert = Omit<Insertable<SpendAlertsTable>, 'id'>;

export async function insertSpendAlert(db: Executor, alert: NewSpendAlert): Promise<SpendAlert> {
  return db
    .insertInto('spend_alerts')
    .values({ ...alert, id: newId('sal') })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getSpendAlert(db: Executor, id: string): Promise<SpendAlert | undefined> {
  return db.selectFrom('spend_alerts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Oldest first, optionally of one customer or one plan (disabled ones included). */
export async function listSpendAlerts(
  db: Executor,
  filter: { customerId?: string | undefined; planCode?: string | undefined },
): Promise<SpendAlert[]> {
  let query = db.selectFrom('spend_alerts').selectAll().orderBy('created_at').orderBy('id');
  if (filter.customerId !== undefined) query = query.where('customer_id', '=', filter.customerId);
  if (filter.planCode !== undefined) query = query.where('plan_code', '=', filter.planCode);
  return query.limit(1000).execute();
}

/** Disables the alert (once); its crossings stay. Undefined when no alert has the id. */
export async function disableSpendAlert(db: Executor, id: string): Promise<SpendAlert | undefined> {
  await db
    .updateTable('spend_alerts')
    .set({ enabled: false, disabled_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('enabled', '=', true)
    .execute();
  return getSpendAlert(db, id);
}

/** The enabled alerts on the customer, or on one of `planCodes` (the plans they run). */
export async function applicableSpendAlerts(
  db: Executor,
  customerId: string,
  planCodes: readonly string[],
): Promise<SpendAlert[]> {
  return db
    .selectFrom('spend_alerts')
    .selectAll()
    .where('enabled', '=', true)
    .where((eb) =>
      planCodes.length === 0
        ? eb('customer_id', '=', customerId)
        : eb.or([eb('customer_id', '=', customerId), eb('plan_code', 'in', planCodes)]),
    )
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The customer's crossings of `periodStart`, and those of earlier periods not resolved yet. */
export async function currentCrossings(
  db: Executor,
  customerId: string,
  periodStart: Date,
): Promise<SpendAlertCrossing[]> {
  return db
    .selectFrom('spend_alert_crossings')
    .selectAll()
    .where('customer_id', '=', customerId)
    .where((eb) =>
      eb.or([
        eb('period_start', '=', periodStart),
        eb.and([eb('period_start', '<', periodStart), eb('resolved_at', 'is', null)]),
      ]),
    )
    .execute();
}

/** What a crossing's events carry: the crossing, with its alert's level. */
function eventObject(alert: SpendAlert, crossing: SpendAlertCrossing) {
  return {
    id: crossing.id,
    alertId: alert.id,
    name: alert.name,
    customerId: crossing.customer_id,
    planCode: alert.plan_code,
    kind: alert.kind,
    metricCode: alert.metric_code,
    units: alert.units,
    amount: alert.amount,
    currency: alert.currency,
    hardStop: alert.hard_stop,
    periodStart: crossing.period_start,
    periodEnd: crossing.period_end,
    value: crossing.value,
    crossedAt: crossing.crossed_at,
    resolvedAt: crossing.resolved_at,
    resolvedValue: crossing.resolved_value,
  };
}

/**
 * Records that the customer reached the alert's level this period, with its
 * spend_alert.triggered event, in one transaction; nothing when it is recorded already.
 * Returns the crossing either way.
 */
export async function recordCrossing(
  db: Kysely<Database>,
  crossing: {
    alertId: string;
    customerId: string;
    periodStart: Date;
    periodEnd: Date | null;
    value: string;
    at: Date;
  },
): Promise<{ crossing: SpendAlertCrossing; recorded: boolean }> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('spend_alert_crossings')
      .values({
        id: newId('sac'),
        alert_id: crossing.alertId,
        customer_id: crossing.customerId,
        period_start: crossing.periodStart,
        period_end: crossing.periodEnd,
        value: crossing.value,
        crossed_at: crossing.at,
      })
      .onConflict((oc) => oc.columns(['alert_id', 'customer_id', 'period_start']).doNothing())
      .returningAll()
      .executeTakeFirst();
    const row =
      inserted ??
      (await trx
        .selectFrom('spend_alert_crossings')
        .selectAll()
        .where('alert_id', '=', crossing.alertId)
        .where('customer_id', '=', crossing.customerId)
        .where('period_start', '=', crossing.periodStart)
        .executeTakeFirstOrThrow());
    if (inserted) {
      const alert = await trx
        .selectFrom('spend_alerts')
        .selectAll()
        .where('id', '=', crossing.alertId)
        .executeTakeFirstOrThrow();
      await recordEvent(trx, 'spend_alert.triggered', eventObject(alert, inserted));
    }
    return { crossing: row, recorded: inserted !== undefined };
  });
}

/**
 * Marks resolved the customer's crossings of the alert from periods before `periodStart`, each
 * with its spend_alert.resolved event, in one transaction; nothing when none is left open.
 */
export async function resolveCrossings(
  db: Kysely<Database>,
  resolution: { alertId: string; customerId: string; periodStart: Date; value: string; at: Date },
): Promise<SpendAlertCrossing[]> {
  return db.transaction().execute(async (trx) => {
    const resolved = await trx
      .updateTable('spend_alert_crossings')
      .set({ resolved_at: resolution.at, resolved_value: resolution.value })
      .where('alert_id', '=', resolution.alertId)
      .where('customer_id', '=', resolution.customerId)
      .where('period_start', '<', resolution.periodStart)
      .where('resolved_at', 'is', null)
      .returningAll()
      .execute();
    if (resolved.length === 0) return resolved;
    const alert = await trx
      .selectFrom('spend_alerts')
      .selectAll()
      .where('id', '=', resolution.alertId)
      .executeTakeFirstOrThrow();
    for (const crossing of resolved)
      await recordEvent(trx, 'spend_alert.resolved', eventObject(alert, crossing));
    return resolved;
  });
}

/** The customers with a subscription on the plan still billed (a plan alert's customers). */
export async function customersRunning(db: Executor, planCode: string): Promise<string[]> {
  const rows = await db
    .selectFrom('subscriptions as s')
    .innerJoin('plans as p', 'p.id', 's.plan_id')
    .select('s.customer_id')
    .distinct()
    .where('p.code', '=', planCode)
    .where('s.status', 'in', ['trialing', 'active', 'past_due', 'paused'])
    .execute();
  return rows.map((r) => r.customer_id);
}
