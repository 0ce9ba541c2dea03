// Invoices as the API shows them (summaries in lists and collections, full invoices with their
// lines) and the parts of a request that prices a line by hand; shared by the invoice, manual
// invoice and collection routes.
import { billingReasonOf } from '../../domain/invoicing/threshold.ts';
import { BillingReason } from './thresholds.ts';
import { Type } from 'typebox';
import type { Invoice as InvoiceRow, InvoiceLine as InvoiceLineRow } from '../../db/database.ts';
import type { CreditNoteWithLines } from '../../db/repositories/credit-notes.ts';
import { taxNoteText } from '../../documents/tax-mentions.ts';
import { MAX_QUANTITY } from '../../services/invoices.ts';
import {
  CurrencyCode,
  described,
  iso,
  Limit,
  Money,
  NullablePeriod,
  NullableTimestamp,
  StartingAfter,
  Timestamp,
} from './common.ts';
import { Decimal } from './catalog.ts';
import { CreditNoteSchema, toCreditNote } from './credit-notes.ts';
import { LineArithmeticSchema } from './line-arithmetic.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const TaxBreakdownEntrySchema = Type.Object(
  {
    treatment: Type.String({
      description: 'taxable, reverse_charge, exempt_customer, outside_scope, …',
      examples: ['taxable'],
    }),
    jurisdiction: Type.String({ examples: ['FR'] }),
    taxName: Nullable(Type.String({ examples: ['VAT'] })),
    rate: Type.String({ description: 'Percent, an exact decimal string.', examples: ['20'] }),
    taxableAmount: Money,
    taxAmount: Money,
  },
  { description: 'Tax per (jurisdiction, tax, rate), and per untaxed treatment.' },
);

const TaxNoteSchema = Type.Object({
  code: Type.String({ examples: ['reverse_charge'] }),
  mention: Type.String({
    examples: ['eu_reverse_charge'],
    description: 'Which legal mention: its wording follows the document’s language.',
  }),
  text: Type.String({
    description: 'The legal mention the invoice prints, in the invoice document’s language.',
  }),
});

const invoiceFields = {
  id: Type.String({ examples: ['inv_abcdefghijklmnopqrst'] }),
  number: Nullable(
    Type.String({
      description:
        'Gap-free number within its series (INVOICE_NUMBER_FORMAT), e.g. INV-2026-000123; null while a draft.',
    }),
  ),
  customerId: Type.String(),
  subscriptionId: Nullable(Type.String()),
  billingReason: BillingReason,
  status: Type.Union(
    [
      Type.Literal('draft'),
      Type.Literal('open'),
      Type.Literal('paid'),
      Type.Literal('partially_paid'),
      Type.Literal('void'),
      Type.Literal('uncollectible'),
    ],
    {
      description:
        'draft (editable, unnumbered) → open (finalized, immutable) → paid, partially_paid, void or uncollectible.',
    },
  ),
  currency: CurrencyCode,
  period: described(NullablePeriod, 'The billing period invoiced, when the invoice is for one.'),
  taxBehavior: Type.Union([Type.Literal('exclusive'), Type.Literal('inclusive')], {
    description: 'exclusive: total = subtotal − discount + tax; inclusive: tax is inside.',
  }),
  subtotal: Money,
  discountTotal: Money,
  tax: Money,
  total: Money,
  amountPaid: Money,
  amountCredited: described(Money, 'The total of the credit notes issued against it.'),
  amountDue: described(Money, 'What is still owed: total − paid − credited, never below 0.'),
  taxBreakdown: Type.Array(TaxBreakdownEntrySchema),
  taxNotes: Type.Array(TaxNoteSchema),
  issuedAt: described(NullableTimestamp, 'The invoice date (finalization); null for drafts.'),
  dueAt: described(
    NullableTimestamp,
    'Issue date + the customer’s payment terms; null for drafts.',
  ),
  finalizedAt: NullableTimestamp,
  paidAt: NullableTimestamp,
  voidedAt: NullableTimestamp,
  markedUncollectibleAt: NullableTimestamp,
  createdAt: Timestamp,
};

export const InvoiceSummarySchema = Type.Object(invoiceFields, {
  $id: 'InvoiceSummary',
  title: 'InvoiceSummary',
});

export const InvoiceLineSchema = Type.Object(
  {
    position: Type.Integer({ minimum: 0 }),
    description: Type.String(),
    quantity: { ...Decimal, description: 'Units billed, exact: "1", "12.5" (GB), "2.25" (hours).' },
    unitAmount: Type.Union([Decimal, Type.Null()], {
      description:
        'Minor units per unit, exact and possibly finer than the currency ("0.06" is €0.0006); ' +
        'null when no single price makes the line (tiers, a minimum’s true-up).',
    }),
    amount: described(Money, 'Before discount and tax: the line’s one rounded amount.'),
    discountAmount: Money,
    taxAmount: Money,
    taxRate: Nullable(Type.String({ description: 'Percent; null until finalized.' })),
    taxJurisdiction: Nullable(Type.String()),
    taxTreatment: Nullable(Type.String()),
    total: described(Money, 'What the customer pays for the line, tax included.'),
    period: NullablePeriod,
    arithmetic: Type.Union([LineArithmeticSchema, Type.Null()], {
      description: 'How a rated line’s amount was reached; null for lines priced by hand.',
    }),
  },
  { $id: 'InvoiceLine', title: 'InvoiceLine' },
);

export const InvoiceSchema = Type.Object(
  { ...invoiceFields, lines: Type.Array(InvoiceLineSchema) },
  { $id: 'Invoice', title: 'Invoice' },
);

export const MinorUnits = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const UnsignedDecimal = Type.String({ pattern: '^\\d+(\\.\\d+)?$', maxLength: 40 });

/** A line's quantity in a request: an integer, or an exact decimal string ("2.5"). */
export function DraftQuantity(minimum: 0 | 1) {
  return Type.Union([Type.Integer({ minimum, maximum: MAX_QUANTITY }), UnsignedDecimal], {
    description: `Units, ${minimum === 0 ? 'at least 0' : 'above 0'} and at most 10^9: an integer or a decimal string such as "2.5".`,
  });
}

/** A line's unit price in a request: integer minor units, or a decimal string ("0.06"). */
export const DraftUnitAmount = Type.Union([MinorUnits, UnsignedDecimal], {
  description: 'Price of one unit in minor units: an integer, or a decimal string such as "0.06".',
});

function period(start: Date | null, end: Date | null) {
  return start && end ? { start: iso(start), end: iso(end) } : null;
}

const isoOrNull = (d: Date | null) => (d ? iso(d) : null);

export function toInvoiceSummary(row: InvoiceRow) {
  const money = (amount: number) => ({ amount, currency: row.currency });
  return {
    id: row.id,
    number: row.number,
    customerId: row.customer_id,
    subscriptionId: row.subscription_id,
    billingReason: billingReasonOf(row.subscription_id === null ? null : row.billing_key),
    status: row.status,
    currency: row.currency,
    period: period(row.period_start, row.period_end),
    taxBehavior: row.tax_behavior,
    subtotal: money(row.subtotal),
    discountTotal: money(row.discount_total),
    tax: money(row.tax),
    total: money(row.total),
    amountPaid: money(row.amount_paid),
    amountCredited: money(row.amount_credited),
    amountDue: money(row.amount_due),
    taxBreakdown: row.tax_breakdown,
    taxNotes: row.tax_notes.map((note) => ({
      code: note.code,
      mention: note.mention,
      text: taxNoteText(row.customer_details?.locale ?? 'en', note),
    })),
    issuedAt: isoOrNull(row.issued_at),
    dueAt: isoOrNull(row.due_at),
    finalizedAt: isoOrNull(row.finalized_at),
    paidAt: isoOrNull(row.paid_at),
    voidedAt: isoOrNull(row.voided_at),
    markedUncollectibleAt: isoOrNull(row.marked_uncollectible_at),
    createdAt: iso(row.created_at),
  };
}

/** What is sold, for tax, on a line priced by hand. */
export const TaxCategory = Type.Union(
  [Type.Literal('standard'), Type.Literal('ebook'), Type.Literal('exempt')],
  { description: 'What is sold, for tax (default standard).' },
);

/** An invoice with its lines (InvoiceSchema). */
export function toInvoice({ invoice, lines }: { invoice: InvoiceRow; lines: InvoiceLineRow[] }) {
  return {
    ...toInvoiceSummary(invoice),
    lines: lines.map((line) => toInvoiceLine(line, invoice.currency)),
  };
}

export function toInvoiceLine(row: InvoiceLineRow, currency: string) {
  const money = (amount: number) => ({ amount, currency });
  return {
    position: row.position,
    description: row.description,
    quantity: row.quantity,
    unitAmount: row.unit_amount,
    amount: money(row.amount),
    discountAmount: money(row.discount_amount),
    taxAmount: money(row.tax_amount),
    taxRate: row.tax_rate === null ? null : String(Number(row.tax_rate)),
    taxJurisdiction: row.tax_jurisdiction,
    taxTreatment: row.tax_treatment,
    total: money(row.total_amount),
    period: period(row.period_start, row.period_end),
    arithmetic: row.arithmetic,
  };
}

export const ListInvoicesQuery = Type.Object(
  {
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    subscriptionId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    limit: Limit,
    startingAfter: Type.Optional(StartingAfter),
  },
  { additionalProperties: false },
);

const DraftLineBody = Type.Object(
  {
    description: Type.String({ minLength: 1, maxLength: 500 }),
    quantity: DraftQuantity(0),
    unitAmount: DraftUnitAmount,
    discountAmount: Type.Optional(MinorUnits),
    taxCategory: Type.Optional(TaxCategory),
  },
  { additionalProperties: false },
);

/** PATCH /invoices/:id: a draft's new lines and/or price basis. */
export const UpdateDraftBody = Type.Object(
  {
    lines: Type.Optional(Type.Array(DraftLineBody, { minItems: 1, maxItems: 500 })),
    taxBehavior: Type.Optional(Type.Union([Type.Literal('exclusive'), Type.Literal('inclusive')])),
  },
  { additionalProperties: false },
);

export const VoidResultSchema = Type.Object(
  {
    invoice: InvoiceSchema,
    creditNote: Type.Union([CreditNoteSchema, Type.Null()], {
      description: 'The credit note taking back what was not yet credited (null if nothing was).',
    }),
  },
  { description: 'The void invoice and its credit note.' },
);

/** A voided invoice and the credit note that took its balance back (VoidResultSchema). */
export function toVoidResult(
  voided: { invoice: InvoiceRow; lines: InvoiceLineRow[] } & {
    creditNote: CreditNoteWithLines | null;
  },
) {
  return {
    invoice: toInvoice(voided),
    creditNote: voided.creditNote && toCreditNote(voided.creditNote, voided.lines),
  };
}
