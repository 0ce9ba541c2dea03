// The wallet routes' request and response shapes, and how a wallet, a grant and a movement of
// credit are shown. Money is integer minor units with the wallet's currency beside it.
import { Type } from 'typebox';
import type { WalletGrant, WalletTransaction } from '../../db/database.ts';
import type { WalletWithBalance } from '../../services/wallets.ts';
import { GRANT_KINDS } from '../../domain/wallets/draw.ts';
import {
  CurrencyCode,
  described,
  iso,
  Limit,
  MAX_AMOUNT,
  Money,
  NullableTimestamp,
  StartingAfter,
  Timestamp,
} from './common.ts';

const PlanCode = Type.String({ minLength: 1, maxLength: 63 });

export const CreateWalletBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'e.g. "Prepaid usage".' }),
    currency: Type.Optional(
      described(CurrencyCode, 'Must be the customer’s currency (the default).'),
    ),
    priority: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        default: 1,
        description: 'Lower draws first when several wallets can pay an invoice.',
      }),
    ),
    planCodes: Type.Optional(
      Type.Union([Type.Array(PlanCode, { minItems: 1, maxItems: 100 }), Type.Null()], {
        description:
          'Scope: the credit pays only invoices of these plans. Absent or null: every invoice.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const WalletSchema = Type.Object(
  {
    id: Type.String({ examples: ['wal_abcdefghijklmnopqrst'] }),
    customerId: Type.String(),
    name: Type.String(),
    currency: CurrencyCode,
    priority: Type.Integer({ minimum: 1 }),
    planCodes: Type.Union([Type.Array(Type.String()), Type.Null()], {
      description: 'The plans whose invoices it pays; null for every invoice.',
    }),
    balance: described(Money, 'Usable credit now: what active grants have left.'),
    pending: described(Money, 'Purchased credit whose invoice is not paid yet.'),
    createdAt: Timestamp,
  },
  { $id: 'Wallet', title: 'Wallet' },
);

export const GrantBody = Type.Object(
  {
    kind: Type.Enum([...GRANT_KINDS], {
      description:
        'purchased: an invoice for `amount` is issued, and the credit granted once it is paid. ' +
        'promotional: granted at once, free, with a `reason`.',
    }),
    amount: Type.Integer({
      minimum: 1,
      maximum: MAX_AMOUNT,
      description: 'Credit in the wallet currency’s minor units (and the price, when purchased).',
    }),
    reason: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 500,
        description: 'Why it is given (required for promotional credit).',
      }),
    ),
    expiresAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'When what is left of it expires (after the customer’s now). Absent: never.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const GrantSchema = Type.Object(
  {
    id: Type.String({ examples: ['wgr_abcdefghijklmnopqrst'] }),
    walletId: Type.String(),
    kind: Type.Enum([...GRANT_KINDS]),
    status: Type.Enum(['pending', 'active', 'expired', 'voided'], {
      description: 'pending: bought, its invoice unpaid; active: usable; expired or voided: over.',
    }),
    amount: described(Money, 'The credit granted.'),
    remaining: described(Money, 'What is left to use.'),
    reason: Type.Union([Type.String(), Type.Null()]),
    invoiceId: Type.Union([Type.String(), Type.Null()], {
      description: 'The invoice selling purchased credit.',
    }),
    expiresAt: NullableTimestamp,
    grantedAt: described(NullableTimestamp, 'When it became usable (purchased: once paid).'),
    endedAt: NullableTimestamp,
    createdAt: Timestamp,
  },
  { $id: 'WalletGrant', title: 'WalletGrant' },
);

export const WalletWithGrantsSchema = Type.Object({
  ...WalletSchema.properties,
  grants: Type.Array(GrantSchema),
});

export const TransactionSchema = Type.Object(
  {
    id: Type.String({ examples: ['wtx_abcdefghijklmnopqrst'] }),
    walletId: Type.String(),
    grantId: Type.String(),
    kind: Type.Enum(['grant', 'consumption', 'expiry', 'void']),
    amount: described(Money, 'Signed: a grant adds, every other movement takes away.'),
    invoiceId: Type.Union([Type.String(), Type.Null()], {
      description: 'The invoice that consumed the credit (or sold it).',
    }),
    description: Type.String(),
    occurredAt: Timestamp,
  },
  { $id: 'WalletTransaction', title: 'WalletTransaction' },
);

export const TransactionsQuery = Type.Object(
  {
    limit: Limit,
    startingAfter: Type.Optional({
      ...StartingAfter,
      description: 'Cursor: the id of the last movement of the previous page. Oldest first.',
    }),
  },
  { additionalProperties: false },
);

export const GrantParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    grantId: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);

const money = (amount: number, currency: string) => ({ amount, currency });

export function toWallet(w: WalletWithBalance) {
  return {
    id: w.id,
    customerId: w.customer_id,
    name: w.name,
    currency: w.currency,
    priority: w.priority,
    planCodes: w.plan_codes,
    balance: money(w.balance, w.currency),
    pending: money(w.pending, w.currency),
    createdAt: iso(w.created_at),
  };
}

export function toGrant(g: WalletGrant) {
  return {
    id: g.id,
    walletId: g.wallet_id,
    kind: g.kind,
    status: g.status,
    amount: money(g.amount, g.currency),
    remaining: money(g.remaining, g.currency),
    reason: g.reason,
    invoiceId: g.invoice_id,
    expiresAt: iso(g.expires_at),
    grantedAt: iso(g.granted_at),
    endedAt: iso(g.ended_at),
    createdAt: iso(g.created_at),
  };
}

export function toWalletTransaction(t: WalletTransaction) {
  return {
    id: t.id,
    walletId: t.wallet_id,
    grantId: t.grant_id,
    kind: t.kind,
    amount: money(t.amount, t.currency),
    invoiceId: t.invoice_id,
    description: t.description,
    occurredAt: iso(t.occurred_at),
  };
}
