// Credit notes as the API shows them: read on their own, and returned by the invoice routes that
// issue them (credit, void).
import { Type } from 'typebox';
import type { InvoiceLine } from '../../db/database.ts';
import type { CreditNoteWithLines } from '../../db/repositories/credit-notes.ts';
import { CurrencyCode, described, iso, Money, Timestamp } from './common.ts';

export const CreditNoteLineSchema = Type.Object(
  {
    position: Type.Integer({ minimum: 0 }),
    invoiceLinePosition: Type.Integer({
      minimum: 0,
      description: 'The invoice line credited.',
    }),
    description: Type.String(),
    amount: described(Money, 'Credited, tax included.'),
    taxAmount: described(Money, 'The tax inside the amount.'),
  },
  { $id: 'CreditNoteLine', title: 'CreditNoteLine' },
);

export const CreditNoteSchema = Type.Object(
  {
    id: Type.String({ examples: ['cn_abcdefghijklmnopqrst'] }),
    number: Type.String({
      description: 'Gap-free within its series (CREDIT_NOTE_NUMBER_FORMAT), e.g. CN-2026-000007.',
    }),
    invoiceId: Type.String(),
    customerId: Type.String(),
    currency: CurrencyCode,
    reason: Type.Union(
      [
        Type.Literal('void'),
        Type.Literal('refund'),
        Type.Literal('correction'),
        Type.Literal('other'),
      ],
      { description: 'void for the credit note a void issues.' },
    ),
    memo: Type.Union([Type.String(), Type.Null()]),
    subtotal: described(Money, 'Credited before tax.'),
    tax: Money,
    total: described(Money, 'Credited, tax included: taken off what the invoice asks for.'),
    issuedAt: Timestamp,
    createdAt: Timestamp,
    lines: Type.Array(CreditNoteLineSchema),
  },
  { $id: 'CreditNote', title: 'CreditNote' },
);

export function toCreditNote(
  { creditNote, lines }: CreditNoteWithLines,
  invoiceLines: readonly InvoiceLine[],
) {
  const money = (amount: number) => ({ amount, currency: creditNote.currency });
  const positionOf = new Map(invoiceLines.map((l) => [String(l.id), l.position]));
  return {
    id: creditNote.id,
    number: creditNote.number,
    invoiceId: creditNote.invoice_id,
    customerId: creditNote.customer_id,
    currency: creditNote.currency,
    reason: creditNote.reason,
    memo: creditNote.memo,
    subtotal: money(creditNote.subtotal),
    tax: money(creditNote.tax),
    total: money(creditNote.total),
    issuedAt: iso(creditNote.issued_at),
    createdAt: iso(creditNote.created_at),
    lines: lines.map((line) => ({
      position: line.position,
      invoiceLinePosition: positionOf.get(String(line.invoice_line_id)) ?? 0,
      description: line.description,
      amount: money(line.amount),
      taxAmount: money(line.tax_amount),
    })),
  };
}
