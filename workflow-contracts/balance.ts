// What a customer's live balance holds: shared by the balance workflow, the activity that reads
// it from PostgreSQL and the API that shows it.
import type { SpendAlertReading } from '../domain/alerts/spend-alerts.ts';

import type { ThresholdStatus } from '../domain/invoicing/threshold.ts';

/** One line of the current period so far, as the period-end invoice will carry it. */
export interface BalanceCharge {
  subscriptionId: string;
  /** The plan's charge key; null for the plan-level minimum true-up. */
  chargeKey: string | null;
  /** The metric a usage charge counts; null for other charges. */
  metricCode: string | null;
  description: string;
  /** Billable quantity after free units (decimal string). */
  quantity: string;
  /** Minor units per unit when the line has one price per unit, else null. */
  unitPrice: string | null;
  /** Minor units, rated by the same functions the invoice uses (before tax). */
  amount: number;
}

export interface BalanceWallet {
  walletId: string;
  name: string;
  currency: string;
  /** Usable credit now (active grants' remaining), minor units. */
  balance: number;
}

/** What the workflow last read from PostgreSQL: reconcilable with the database at any time. */
export interface BalanceSnapshot {
  customerId: string;
  currency: string;
  /** The current billing period of the customer's subscriptions (earliest start, latest end). */
  periodStart: string | null;
  periodEnd: string | null;
  charges: BalanceCharge[];
  /** The lines' sum after discounts, before tax, minor units. */
  ratedAmount: number;
  /** What the next invoices would total with tax. */
  total: number;
  wallets: BalanceWallet[];
  /** Sum of the wallets' usable credit in the customer's currency. */
  walletBalance: number;
  /** total − walletBalance, never below zero: what would be collected after credit. */
  amountAfterCredit: number;
  /** The customer's clock when it was read. */
  readAt: string;
  /** The spend alerts that apply (the customer's and their plans'), read with the period. */
  spendAlerts?: SpendAlertReading[];

  /** Subscriptions with a billing threshold: their unbilled usage (threshold billing). */
  thresholds?: ThresholdStatus[];
}
