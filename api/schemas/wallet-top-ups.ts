// The wallet top-up route's request and response shapes. Money is integer minor units of the
// wallet's currency.
import { Type } from 'typebox';
import type { TopUp } from '../../services/wallet-top-ups.ts';
import { described, iso, MAX_AMOUNT, Money, NullableTimestamp, Timestamp } from './common.ts';

const Price = Type.Integer({
  minimum: 1,
  maximum: MAX_AMOUNT,
  description: 'The price invoiced for each purchase, in minor units.',
});
const Credit = Type.Integer({
  minimum: 1,
  maximum: MAX_AMOUNT,
  description: 'The credit granted once that invoice is paid, in minor units (usually = amount).',
});

// One object with the kind's fields checked by the service, so a refusal names the field
// (a union would report the other kind's fields).
export const TopUpBody = Type.Object(
  {
    kind: Type.Enum(['recurring', 'threshold'], {
      description:
        'recurring: one purchase per `interval` from `anchor`. threshold: one purchase when an ' +
        'invoice draws the usable balance under `below`, none other while it is unpaid.',
    }),
    amount: Price,
    credit: Credit,
    below: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_AMOUNT,
        description: 'Threshold rules (required): the level, in minor units.',
      }),
    ),
    interval: Type.Optional(
      Type.Enum(['month', 'week'], { description: 'Recurring rules (required).' }),
    ),
    anchor: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'Recurring rules: the first purchase, then one per interval from it. Default: the ' +
          'customer’s now.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const TopUpSchema = Type.Object(
  {
    walletId: Type.String(),
    kind: Type.Enum(['recurring', 'threshold']),
    amount: described(Money, 'The price of each purchase.'),
    credit: described(Money, 'The credit each purchase grants once paid.'),
    below: Type.Union([Money, Type.Null()], { description: 'Threshold: the level.' }),
    interval: Type.Union([Type.Enum(['month', 'week']), Type.Null()]),
    anchor: NullableTimestamp,
    updatedAt: Timestamp,
  },
  { $id: 'WalletTopUp', title: 'WalletTopUp' },
);

export function toTopUp(t: TopUp) {
  const money = (amount: number) => ({ amount, currency: t.currency });
  return {
    walletId: t.wallet_id,
    kind: t.kind,
    amount: money(t.amount),
    credit: money(t.credit),
    below: t.below === null ? null : money(t.below),
    interval: t.interval,
    anchor: iso(t.anchor),
    updatedAt: iso(t.updated_at),
  };
}
