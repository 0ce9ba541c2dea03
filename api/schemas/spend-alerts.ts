// Spend alerts' request and response shapes (/v1/spend-alerts), and how the balance shows them.
// Usage levels are decimal strings of units; amount levels are Money (integer minor units, before
// tax, in the customer's or plan's currency).
import { Type } from 'typebox';
import type { SpendAlert } from '../../db/database.ts';
import { hasReached, type SpendAlertReading } from '../../domain/alerts/spend-alerts.ts';
import { described, iso, MAX_AMOUNT, Money, NullableTimestamp, Timestamp } from './common.ts';

const money = (amount: number, currency: string) => ({ amount, currency });

const Kind = Type.Enum(['usage', 'amount'], {
  description:
    'usage: units of `metricCode` in the current period. amount: the period’s rated amount so ' +
    'far, after discounts and before tax (the balance’s `ratedAmount`).',
});

const Units = Type.String({
  pattern: '^\\d{1,18}(\\.\\d{1,12})?$',
  description: 'Usage alerts: the level, in units of the metric (decimal string, above zero).',
  examples: ['1000'],
});

// One object with the kind's fields checked by the service, so a refusal names the field.
export const SpendAlertBody = Type.Object(
  {
    customerId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'The customer (or planCode).' }),
    ),
    planCode: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description: 'The plan: applies to every customer running it (or customerId).',
      }),
    ),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    kind: Kind,
    metricCode: Type.Optional(
      Type.String({ minLength: 1, maxLength: 63, description: 'Usage alerts: the metric.' }),
    ),
    units: Type.Optional(Units),
    amount: Type.Optional(
      described(
        Type.Object(
          {
            amount: Type.Integer({ maximum: MAX_AMOUNT, description: 'Minor units, above zero.' }),
            currency: Money.properties.currency,
          },
          { additionalProperties: false },
        ),
        'Amount alerts: the level, before tax, in the currency the customer or plan is billed in.',
      ),
    ),
    hardStop: Type.Optional(
      Type.Boolean({
        description:
          'While crossed in the current period, the entitlement answers `allowed: false` (for ' +
          'the metric of a usage alert; for every metric for an amount alert). Default false.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const SpendAlertSchema = Type.Object({
  id: Type.String(),
  customerId: Type.Union([Type.String(), Type.Null()]),
  planCode: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
  kind: Kind,
  metricCode: Type.Union([Type.String(), Type.Null()]),
  units: Type.Union([Type.String(), Type.Null()], { description: 'Usage level; null otherwise.' }),
  amount: Type.Union([Money, Type.Null()], { description: 'Amount level; null otherwise.' }),
  hardStop: Type.Boolean(),
  enabled: Type.Boolean({ description: 'False once deleted: no longer compared.' }),
  createdAt: Timestamp,
  disabledAt: NullableTimestamp,
});

export const SpendAlertQuery = Type.Object(
  {
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    planCode: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
  },
  { additionalProperties: false },
);

export const SpendAlertListSchema = Type.Object({
  data: Type.Array(SpendAlertSchema),
});

export function toSpendAlert(alert: SpendAlert) {
  return {
    id: alert.id,
    customerId: alert.customer_id,
    planCode: alert.plan_code,
    name: alert.name,
    kind: alert.kind,
    metricCode: alert.metric_code,
    units: alert.units,
    amount: alert.amount === null ? null : money(alert.amount, alert.currency!),
    hardStop: alert.hard_stop,
    enabled: alert.enabled,
    createdAt: iso(alert.created_at),
    disabledAt: iso(alert.disabled_at),
  };
}

/** An alert as the balance shows it: its level, the period's value and its state. */
export const BalanceSpendAlertSchema = Type.Object({
  alertId: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  scope: Type.Enum(['customer', 'plan']),
  kind: Kind,
  metricCode: Type.Union([Type.String(), Type.Null()]),
  units: Type.Union([Type.String(), Type.Null()], { description: 'Usage level.' }),
  amount: Type.Union([Money, Type.Null()], { description: 'Amount level (before tax).' }),
  usedUnits: Type.Union([Type.String(), Type.Null()], {
    description: 'Usage alerts: units of the metric this period so far.',
  }),
  ratedAmount: Type.Union([Money, Type.Null()], {
    description: 'Amount alerts: the period’s amount so far, before tax.',
  }),
  hardStop: Type.Boolean(),
  state: Type.Enum(['under', 'crossed'], {
    description: 'crossed once the period’s value reaches the level; under otherwise.',
  }),
  crossedAt: described(NullableTimestamp, 'When this period’s crossing was recorded.'),
  unresolved: Type.Boolean({
    description:
      'A crossing of an earlier period is not resolved yet (resolved once a period reads under).',
  }),
});

export function toBalanceSpendAlert(reading: SpendAlertReading) {
  const amount = reading.kind === 'amount';
  const inMoney = (value: string) => money(Number(value), reading.currency!);
  return {
    alertId: reading.alertId,
    name: reading.name,
    scope: reading.scope,
    kind: reading.kind,
    metricCode: reading.metricCode,
    units: amount ? null : reading.level,
    amount: amount ? inMoney(reading.level) : null,
    usedUnits: amount ? null : reading.value,
    ratedAmount: amount ? inMoney(reading.value) : null,
    hardStop: reading.hardStop,
    state: hasReached(reading) || reading.crossedAt !== null ? 'crossed' : 'under',
    crossedAt: reading.crossedAt,
    unresolved: reading.unresolved,
  } as const;
}
