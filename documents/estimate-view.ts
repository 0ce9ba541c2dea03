// An estimate as its document shows it (templates/estimate.hbs), and the same estimate issued as
// a quote: its number, validity, terms and answer on top. Shared by the API (HTML and PDF on
// request) and the quote email's activity, so both show the very same document.
import type { EstimateRecord } from '../db/repositories/estimates.ts';
import type { QuoteRecord } from '../db/repositories/quotes.ts';
import type { SellerDetails } from '../domain/invoicing/seller.ts';
import { invoiceTotals } from '../domain/invoicing/totals.ts';
import { lineRatePercent } from '../domain/tax/provider.ts';
import { taxNoteText } from './tax-mentions.ts';
import type { Brand, EstimateView, QuoteDocumentView } from './views.ts';

export function estimateViewOf(
  { seller, brand }: { seller: SellerDetails; brand: Brand },
  record: EstimateRecord,
): EstimateView {
  const { result } = record;
  // Each line's tax, when the customer was known and the estimate taxed (lineId: the rated id).
  const taxed = new Map(record.tax?.lines.map((line) => [line.lineId, line]));
  return {
    seller,
    brand,
    ...(record.documentDesign ? { documentDesign: record.documentDesign } : {}),
    customer: {
      ...(record.customerName ? { name: record.customerName } : {}),
      ...(record.customerCountry ? { country: record.customerCountry } : {}),
      locale: record.locale,
      timezone: record.timezone,
    },
    estimate: {
      id: record.id,
      planName: record.planName,
      currency: result.currency,
      createdAt: record.createdAt.toISOString(),
      periodStart: record.period.start,
      periodEnd: record.period.end,
      subtotal: result.subtotal.amount,
      discountTotal: result.discountTotal.amount,
      totalBeforeTax: result.totalBeforeTax.amount,
      total: invoiceTotals(result, record.tax).total.amount,
    },
    tax: record.tax && {
      lines: record.tax.breakdown
        .filter((entry) => entry.taxName !== null)
        .map((entry) => ({
          label: `${entry.taxName} ${entry.rate} % (${entry.jurisdiction})`,
          amount: entry.taxAmount.amount,
        })),
      inclusive: record.tax.taxBehavior === 'inclusive',
      notes: record.tax.notes.map((note) => taxNoteText(record.locale, note)),
    },
    lines: result.lines.map((line) => {
      const tax = taxed.get(line.id);
      return {
        description: line.description,
        quantity: line.quantity,
        amount: line.amount.amount,
        explanation: line.explanation,
        ...(tax && { tax: { treatment: tax.treatment, ratePercent: lineRatePercent(tax) } }),
      };
    }),
    discounts: result.discounts.map((d) => ({
      description: d.description,
      amount: d.amount.amount,
      explanation: d.explanation,
    })),
  };
}

/** The quote's document: its estimate, with the quote's facts and answer. */
export function quoteViewOf(
  settings: { seller: SellerDetails; brand: Brand },
  estimate: EstimateRecord,
  quote: QuoteRecord,
  hostedUrl?: string,
): EstimateView & { quote: QuoteDocumentView } {
  return {
    ...estimateViewOf(settings, estimate),
    quote: {
      number: quote.number,
      issuedAt: quote.issuedAt.toISOString(),
      validUntil: quote.validUntil.toISOString(),
      terms: quote.terms,
      status: quote.status,
      ...(quote.accepted && {
        accepted: {
          at: quote.accepted.at.toISOString(),
          name: quote.accepted.name,
          title: quote.accepted.title,
        },
      }),
      ...(quote.declined && {
        declined: { at: quote.declined.at.toISOString(), reason: quote.declined.reason },
      }),
      ...(quote.expiredAt && { expiredAt: quote.expiredAt.toISOString() }),
      ...(hostedUrl !== undefined && { hostedUrl }),
    },
  };
}
