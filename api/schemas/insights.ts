// Insights as the API shows them (docs/FINANCE.md "Insights" defines each figure): money as
// { amount, currency }, rates as exact percent strings with two decimals, months as "YYYY-MM".
import { Type } from 'typebox';
import { AGING_BUCKETS } from '../../domain/insights/receivables.ts';
import type {
  CurrencyAging,
  DunningStep,
  MrrInsightMonth,
  OverdueInvoice,
  PaymentMonth,
  UpcomingRenewal,
} from '../../services/insights.ts';
import { CurrencyCode, described, iso, Limit, Money, StartingAfter, Timestamp } from './common.ts';

const Month = Type.String({
  pattern: '^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])$',
  description: 'A calendar month in UTC, YYYY-MM (1970-01 to 9999-12).',
  examples: ['2026-01'],
});

const Rate = Type.Union(
  [
    Type.String({
      pattern: '^-?[0-9]+\\.[0-9]{2}$',
      description: 'A percent with two decimals, exact, rounded half up.',
      examples: ['12.50'],
    }),
    Type.Null(),
  ],
  { description: 'A percent with two decimals ("12.50"); null when there is no base.' },
);

const Days = Type.Union(
  [Type.String({ pattern: '^-?[0-9]+\\.[0-9]{2}$', examples: ['31.25'] }), Type.Null()],
  { description: 'Days with two decimals; null when there is nothing to measure.' },
);

const AsOf = described(
  Timestamp,
  'The instant the figures are taken at (default now; on a test clock, pass its time).',
);

export const MonthWindowQuery = Type.Object(
  {
    currency: CurrencyCode,
    from: described(Month, 'The first month, included.'),
    to: described(Month, 'The last month, included.'),
    asOf: Type.Optional(
      described(Timestamp, 'Months ending later are measured at this instant (default now).'),
    ),
  },
  { additionalProperties: false },
);

/** Dunning reads invoices as they stand now: no asOf. */
export const DunningQuery = Type.Object(
  {
    currency: CurrencyCode,
    from: MonthWindowQuery.properties.from,
    to: MonthWindowQuery.properties.to,
  },
  { additionalProperties: false },
);

export const AgingQuery = Type.Object(
  { asOf: Type.Optional(AsOf), currency: Type.Optional(CurrencyCode) },
  { additionalProperties: false },
);

export const OverdueQuery = Type.Object(
  {
    asOf: Type.Optional(AsOf),
    currency: Type.Optional(CurrencyCode),
    limit: Limit,
    startingAfter: Type.Optional(StartingAfter),
  },
  { additionalProperties: false },
);

export const RenewalsQuery = Type.Object(
  {
    from: Type.Optional(described(Timestamp, 'Renewals at or after this instant (default now).')),
    to: Type.Optional(
      described(Timestamp, 'Renewals before this instant (default 30 days after from).'),
    ),
    currency: Type.Optional(CurrencyCode),
    limit: Limit,
    startingAfter: Type.Optional(StartingAfter),
  },
  { additionalProperties: false },
);

const Movements = Type.Object(
  {
    new: described(Money, 'MRR of customers billed for the first time.'),
    expansion: described(Money, 'MRR gained from customers billed at both month ends.'),
    contraction: described(Money, 'MRR lost by customers still billed (0 or less).'),
    churn: described(Money, 'MRR of customers no longer billed (0 or less).'),
    reactivation: described(Money, 'MRR of customers billed again after a month end at 0.'),
  },
  { description: 'Sum to this month’s MRR less the previous month’s.' },
);

export const MrrInsightSchema = Type.Object(
  {
    currency: CurrencyCode,
    months: Type.Array(
      Type.Object({
        month: Month,
        mrr: described(Money, 'Monthly recurring revenue at the month end.'),
        arr: described(Money, '12 × MRR.'),
        customers: Type.Integer({ minimum: 0, description: 'Customers with MRR at month end.' }),
        arpa: described(Money, 'MRR / customers, rounded half up (0 with no customers).'),
        movements: Movements,
        logoChurnRate: Rate,
        revenueChurnRate: Rate,
        netRevenueRetention: Rate,
      }),
    ),
  },
  { $id: 'MrrInsight', title: 'MrrInsight' },
);

export const AgingSchema = Type.Object(
  {
    asOf: Timestamp,
    currencies: Type.Array(
      Type.Object({
        currency: CurrencyCode,
        total: described(Money, 'Everything owed in this currency at asOf.'),
        buckets: Type.Array(
          Type.Object({
            bucket: Type.Union(AGING_BUCKETS.map((b) => Type.Literal(b))),
            amount: described(Money, 'What the invoices in the bucket still ask for.'),
            invoices: Type.Integer({ minimum: 0 }),
          }),
          { description: 'Always the five buckets, in order.' },
        ),
      }),
    ),
  },
  { $id: 'ReceivablesAging', title: 'ReceivablesAging' },
);

export const PaymentInsightSchema = Type.Object(
  {
    currency: CurrencyCode,
    months: Type.Array(
      Type.Object({
        month: Month,
        collected: described(Money, 'Payments received in the month.'),
        payments: Type.Integer({ minimum: 0 }),
        paidOnTime: Type.Integer({
          minimum: 0,
          description: 'Invoices settled by their due date.',
        }),
        paidLate: Type.Integer({ minimum: 0, description: 'Invoices settled after it.' }),
        averageDaysToPay: Days,
        collectedAfterReminder: Type.Array(
          Type.Object({
            step: Type.Integer({ minimum: 1, description: 'Reminders sent before payment.' }),
            amount: Money,
            invoices: Type.Integer({ minimum: 0 }),
          }),
        ),
      }),
    ),
    dso: Days,
  },
  { $id: 'PaymentInsight', title: 'PaymentInsight' },
);

export const DunningInsightSchema = Type.Object(
  {
    currency: CurrencyCode,
    steps: Type.Array(
      Type.Object({
        step: Type.Integer({ minimum: 1 }),
        sent: Type.Integer({ minimum: 0, description: 'Invoices that got this reminder.' }),
        paidAfter: Type.Integer({
          minimum: 0,
          description: 'Invoices paid after this reminder and before the next.',
        }),
        recoveredAmount: Money,
      }),
    ),
    writtenOff: described(Money, 'Still owed on the invoices marked uncollectible.'),
  },
  { $id: 'DunningInsight', title: 'DunningInsight' },
);

export const OverdueInvoiceSchema = Type.Object(
  {
    invoiceId: Type.String(),
    number: Type.Union([Type.String(), Type.Null()]),
    customerId: Type.String(),
    customerName: Type.String(),
    amountDue: described(Money, 'What it still asked for at asOf.'),
    dueAt: Timestamp,
    daysOverdue: Type.Integer({ minimum: 1 }),
    subscriptionId: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'OverdueInvoice', title: 'OverdueInvoice' },
);

export const UpcomingRenewalSchema = Type.Object(
  {
    subscriptionId: Type.String(),
    customerId: Type.String(),
    customerName: Type.String(),
    planCode: Type.String(),
    renewsAt: Timestamp,
    amount: described(Money, 'The fixed charges of one period at the current terms, before tax.'),
  },
  { $id: 'UpcomingRenewal', title: 'UpcomingRenewal' },
);

const moneyIn = (currency: string) => (amount: number) => ({ amount, currency });

export function toMrrInsight(currency: string, months: MrrInsightMonth[]) {
  const money = moneyIn(currency);
  return {
    currency,
    months: months.map((m) => ({
      month: m.month,
      mrr: money(m.mrr),
      arr: money(m.arr),
      customers: m.customers,
      arpa: money(m.arpa),
      movements: {
        new: money(m.movements.new),
        expansion: money(m.movements.expansion),
        contraction: money(m.movements.contraction),
        churn: money(m.movements.churn),
        reactivation: money(m.movements.reactivation),
      },
      logoChurnRate: m.logoChurnRate,
      revenueChurnRate: m.revenueChurnRate,
      netRevenueRetention: m.netRevenueRetention,
    })),
  };
}

export function toAging(aging: { asOf: Date; currencies: CurrencyAging[] }) {
  return {
    asOf: iso(aging.asOf),
    currencies: aging.currencies.map(({ currency, total, buckets }) => ({
      currency,
      total: moneyIn(currency)(total),
      buckets: buckets.map((b) => ({
        bucket: b.bucket,
        amount: moneyIn(currency)(b.amount),
        invoices: b.invoices,
      })),
    })),
  };
}

export function toPaymentInsight(
  currency: string,
  insight: { months: PaymentMonth[]; dso: string | null },
) {
  const money = moneyIn(currency);
  return {
    currency,
    months: insight.months.map((m) => ({
      ...m,
      collected: money(m.collected),
      collectedAfterReminder: m.collectedAfterReminder.map((s) => ({
        ...s,
        amount: money(s.amount),
      })),
    })),
    dso: insight.dso,
  };
}

export function toDunningInsight(
  currency: string,
  insight: { steps: DunningStep[]; writtenOff: number },
) {
  const money = moneyIn(currency);
  return {
    currency,
    steps: insight.steps.map((s) => ({ ...s, recoveredAmount: money(s.recoveredAmount) })),
    writtenOff: money(insight.writtenOff),
  };
}

export function toOverdueInvoice(invoice: OverdueInvoice) {
  return {
    invoiceId: invoice.id,
    number: invoice.number,
    customerId: invoice.customerId,
    customerName: invoice.customerName,
    amountDue: moneyIn(invoice.currency)(invoice.amountDue),
    dueAt: iso(invoice.dueAt),
    daysOverdue: invoice.daysOverdue,
    subscriptionId: invoice.subscriptionId,
  };
}

export function toUpcomingRenewal(renewal: UpcomingRenewal) {
  return {
    subscriptionId: renewal.subscriptionId,
    customerId: renewal.customerId,
    customerName: renewal.customerName,
    planCode: renewal.planCode,
    renewsAt: iso(renewal.renewsAt),
    amount: moneyIn(renewal.currency)(renewal.amount),
  };
}
