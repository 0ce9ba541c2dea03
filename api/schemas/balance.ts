// The live balance's response shapes (GET /v1/customers/:id/balance and /entitlement), and how
// the workflow's snapshot is shown. Money is integer minor units with the currency beside it.
import { Type } from 'typebox';
import type { Entitlement } from '../../services/balance.ts';
import type { BalanceSnapshot } from '../../workflow-contracts/balance.ts';
import { described, Money, NullableTimestamp, Timestamp } from './common.ts';
import { BalanceSpendAlertSchema, toBalanceSpendAlert } from './spend-alerts.ts';

const money = (amount: number, currency: string) => ({ amount, currency });

const BalanceChargeSchema = Type.Object({
  subscriptionId: Type.String(),
  chargeKey: Type.Union([Type.String(), Type.Null()], {
    description: 'The plan’s charge; null for the plan’s minimum commitment true-up.',
  }),
  metricCode: Type.Union([Type.String(), Type.Null()], {
    description: 'The billable metric of a usage charge; null for other charges.',
  }),
  description: Type.String(),
  quantity: Type.String({ description: 'Billable quantity so far (decimal string).' }),
  unitPrice: Type.Union([Type.String(), Type.Null()], {
    description: 'Minor units per unit when the line has one price per unit, else null.',
  }),
  amount: described(Money, 'Rated so far, after discounts, before tax.'),
});

const BalanceWalletSchema = Type.Object({
  walletId: Type.String(),
  name: Type.String(),
  balance: described(Money, 'Usable credit now (active grants).'),
});

export const BalanceSchema = Type.Object({
  customerId: Type.String(),
  periodStart: described(NullableTimestamp, 'Start of the current billing period.'),
  periodEnd: described(NullableTimestamp, 'Its end: the balance resets at this boundary.'),
  charges: Type.Array(BalanceChargeSchema, {
    description: 'The lines the next invoice carries, rated as it will rate them.',
  }),
  ratedAmount: described(Money, 'Sum of the charges so far (after discounts, before tax).'),
  total: described(Money, 'What the next invoice would total now, with tax.'),
  wallets: Type.Array(BalanceWalletSchema),
  walletBalance: described(Money, 'Usable credit of every wallet in the customer’s currency.'),
  amountAfterCredit: described(Money, 'total − walletBalance, never negative.'),
  asOf: described(Timestamp, 'The customer’s clock when the balance was read from the database.'),
  spendAlerts: Type.Array(BalanceSpendAlertSchema, {
    description: 'The spend alerts that apply (the customer’s and their plan’s), with their state.',
  }),
});

export const EntitlementQuery = Type.Object({
  metric: Type.String({
    pattern: '^[a-z0-9][a-z0-9_-]{1,62}$',
    description: 'The billable metric’s code.',
  }),
});

export const EntitlementSchema = Type.Object({
  metric: Type.String(),
  allowed: Type.Boolean({
    description:
      'True when nothing limits the customer (no wallet), or when their wallets’ credit exceeds ' +
      'what the current period owes so far.',
  }),
  remainingUnits: Type.Union([Type.String(), Type.Null()], {
    description:
      'Whole units of the metric the remaining credit covers at its unit price; null when ' +
      'unlimited (no wallet) or when the charge has no single unit price (tiers, packages).',
  }),
  remainingCredit: Type.Union([Money, Type.Null()], {
    description: 'Credit left after what is owed so far; null without a wallet.',
  }),
});

export function toBalance(snapshot: BalanceSnapshot) {
  const { currency } = snapshot;
  return {
    customerId: snapshot.customerId,
    periodStart: snapshot.periodStart,
    periodEnd: snapshot.periodEnd,
    charges: snapshot.charges.map((c) => ({ ...c, amount: money(c.amount, currency) })),
    ratedAmount: money(snapshot.ratedAmount, currency),
    total: money(snapshot.total, currency),
    wallets: snapshot.wallets.map((w) => ({
      walletId: w.walletId,
      name: w.name,
      balance: money(w.balance, w.currency),
    })),
    walletBalance: money(snapshot.walletBalance, currency),
    amountAfterCredit: money(snapshot.amountAfterCredit, currency),
    asOf: snapshot.readAt,
    spendAlerts: (snapshot.spendAlerts ?? []).map(toBalanceSpendAlert),
  };
}

export function toEntitlement(entitlement: Entitlement) {
  const { currency } = entitlement;
  return {
    metric: entitlement.metricCode,
    allowed: entitlement.allowed,
    remainingUnits: entitlement.remainingUnits,
    remainingCredit:
      entitlement.remainingCredit === null ? null : money(entitlement.remainingCredit, currency),
  };
}
