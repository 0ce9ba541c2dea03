// Threshold billing's wire shapes (issue #14): the subscription's billing threshold, as created,
// shown and changed, and why an invoice was issued.
import { Type } from 'typebox';

export const THRESHOLD_DESCRIPTION =
  'Threshold billing: when the current period’s unbilled usage charges (billed in arrears, after ' +
  'discounts, before tax) reach this amount, an interim invoice bills the usage so far and the ' +
  'period-end invoice bills only the rest. Integer minor units of the subscription’s currency.';

/** A threshold as accepted: whole minor units above zero. */
export const BillingThresholdValue = Type.Integer({
  minimum: 1,
  maximum: 1_000_000_000_000_000,
  description: THRESHOLD_DESCRIPTION,
  examples: [5000],
});

/** A threshold as shown (null: none). */
export const BillingThreshold = Type.Union([BillingThresholdValue, Type.Null()], {
  description: `${THRESHOLD_DESCRIPTION} Null: no threshold.`,
});

export const BillingThresholdBody = Type.Object(
  {
    billingThreshold: Type.Union([BillingThresholdValue, Type.Null()], {
      description: `${THRESHOLD_DESCRIPTION} Null removes it: no threshold, not the plan’s default.`,
    }),
  },
  { additionalProperties: false },
);

export const BILLING_REASONS = [
  'subscription_cycle',
  'subscription_threshold',
  'subscription_update',
  'subscription_cancel',
  'manual',
] as const;

export const BillingReason = Type.Enum([...BILLING_REASONS], {
  description:
    'Why the invoice was issued: subscription_cycle (a period boundary), subscription_threshold ' +
    '(an interim invoice: the billing threshold was reached), subscription_update (a change ' +
    'mid-period), subscription_cancel (the final invoice), manual (not from a subscription: ' +
    'manual and project invoices).',
});
