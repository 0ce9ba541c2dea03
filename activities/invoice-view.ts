// Loads everything a document or email about an invoice shows, in one place. A finalized invoice
// shows the customer's and seller's details as they were at finalization (its snapshot), its
// discount, its tax per rate and the legal notes the tax engine asked for.
import { billingReasonOf } from '../domain/invoicing/threshold.ts';
import type { Db } from '../db/connect.ts';
import type { Customer, Invoice, InvoiceCustomerDetails, InvoiceLine } from '../db/database.ts';
import { getInvoice, getInvoiceLines } from '../db/repositories/invoices.ts';
import { customerDetailsOf } from '../db/repositories/invoice-finalization.ts';
import { invoiceWalletCredit } from '../db/repositories/wallets.ts';
import { taxNoteText } from '../documents/tax-mentions.ts';
import { translate } from '../i18n/catalogue.ts';
import type { Brand, InvoiceCustomerView, InvoiceView, LineTaxView } from '../documents/views.ts';
import type { SellerDetails } from '../domain/invoicing/seller.ts';

/** The address without its country, which documents write out in their own language. */
function addressLinesOf(address: InvoiceCustomerDetails['address']): string[] {
  const place = [address.postalCode, address.city].filter(Boolean).join(' ');
  return [address.line1, address.line2, place, address.region].filter((line): line is string =>
    Boolean(line),
  );
}

/** The line's `tax` field, once it is taxed. */
function withTax(line: InvoiceLine): { tax?: LineTaxView } {
  const tax = lineTaxOf(line);
  return tax ? { tax } : {};
}

/** A taxed line's rate or treatment, as its document's tax column shows it. */
export function lineTaxOf(
  line: Pick<InvoiceLine, 'tax_rate' | 'tax_treatment'>,
): LineTaxView | undefined {
  if (line.tax_treatment === null) return undefined;
  return { treatment: line.tax_treatment, ratePercent: line.tax_rate ?? '0' };
}

/** What every document about an invoice shows besides the invoice: who issues it, and the brand. */
export interface InvoiceViewSettings {
  /** Today's seller, for drafts; a finalized invoice shows its own snapshot. */
  seller: SellerDetails;
  brand: Brand;
}

/**
 * `reach` 'issued' is the document itself: the customer's name, email, language and time zone as
 * they were at finalization, like the rest of its details. 'current' is a message sent now about
 * the invoice (its email, a reminder, a receipt): to the customer's current name and address, in
 * their current language and time zone, so a correction takes effect.
 */
export async function loadInvoiceView(
  db: Db,
  invoiceId: string,
  settings: InvoiceViewSettings,
  reach: 'issued' | 'current' = 'current',
): Promise<InvoiceView> {
  return invoiceViewOf(await loadInvoiceRecords(db, invoiceId), settings, reach);
}

/** The rows an invoice's view is made of; credit notes and receipts read them once too. */
export interface InvoiceRecords {
  invoice: Invoice;
  lines: InvoiceLine[];
  customer: Customer;
  /** What wallet credit the invoice used, by kind (documents show each on its own row). */
  walletCredit?: { promotional: number; purchased: number };
}

export async function loadInvoiceRecords(db: Db, invoiceId: string): Promise<InvoiceRecords> {
  const invoice = await getInvoice(db, invoiceId);
  if (!invoice) throw new Error(`invoice ${invoiceId} not found`);
  const [lines, customer, walletCredit] = await Promise.all([
    getInvoiceLines(db, invoiceId),
    db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', invoice.customer_id)
      .executeTakeFirstOrThrow(),
    invoiceWalletCredit(db, invoiceId),
  ]);
  return { invoice, lines, customer, walletCredit };
}

/** The view of an invoice from its rows (see loadInvoiceView for `reach`). */
export function invoiceViewOf(
  { invoice, lines, customer, walletCredit }: InvoiceRecords,
  { seller: currentSeller, brand }: InvoiceViewSettings,
  reach: 'issued' | 'current' = 'current',
): InvoiceView {
  const details = invoice.customer_details ?? customerDetailsOf(customer);
  const contact = reach === 'issued' ? details : customer;
  const customerView: InvoiceCustomerView = {
    name: contact.name,
    email: contact.email,
    locale: contact.locale,
    timezone: contact.timezone,
    addressLines: addressLinesOf(details.address),
    country: details.address.country,
    ...(details.vatNumber ? { vatNumber: details.vatNumber } : {}),
    ...(details.taxExemptReference ? { taxExemptReference: details.taxExemptReference } : {}),
  };
  const snapshot = invoice.seller_details;
  const seller: SellerDetails = snapshot
    ? {
        ...currentSeller,
        legalName: snapshot.legalName,
        addressLines: snapshot.addressLines,
        email: snapshot.email,
        ...(snapshot.taxId ? { taxId: snapshot.taxId } : {}),
        ...(snapshot.country ? { country: snapshot.country } : {}),
      }
    : currentSeller;
  const taxed = invoice.tax_breakdown.filter((b) => b.treatment === 'taxable');
  const singleRate = taxed.length === 1 ? Math.round(Number(taxed[0]!.rate) * 100) : undefined;
  const finalized = invoice.status !== 'draft';
  return {
    seller,
    brand,
    ...(details.documentDesign ? { documentDesign: details.documentDesign } : {}),
    customer: customerView,
    invoice: {
      id: invoice.id,
      number: invoice.number ?? translate(customerView.locale, 'status.draftNumber'),
      status: invoice.status,
      currency: invoice.currency,
      issuedAt: (invoice.issued_at ?? invoice.created_at).toISOString(),
      dueAt: (invoice.due_at ?? invoice.issued_at ?? invoice.created_at).toISOString(),
      ...(invoice.period_start ? { periodStart: invoice.period_start.toISOString() } : {}),
      ...(invoice.period_end ? { periodEnd: invoice.period_end.toISOString() } : {}),
      subtotal: invoice.subtotal,
      tax: invoice.tax,
      total: invoice.total,
      ...(singleRate !== undefined ? { taxRateBasisPoints: singleRate } : {}),
      ...(invoice.discount_total > 0 ? { discount: invoice.discount_total } : {}),
      ...(walletCredit?.promotional
        ? {
            promotionalCredit: walletCredit.promotional,
            otherDiscount: invoice.discount_total - walletCredit.promotional,
          }
        : {}),
      ...(walletCredit?.purchased ? { prepaidCreditPaid: walletCredit.purchased } : {}),
      ...(invoice.amount_paid > 0 ? { amountPaid: invoice.amount_paid } : {}),
      ...(finalized ? { amountDue: invoice.amount_due } : {}),
      ...(isInterim(invoice) ? { interim: true } : {}),
    },
    lines: lines.map((line) => ({
      description: line.description,
      quantity: line.quantity,
      ...(line.unit_amount !== null ? { unitAmount: line.unit_amount } : {}),
      amount: line.amount,
      ...(line.period_start ? { periodStart: line.period_start.toISOString() } : {}),
      ...(line.period_end ? { periodEnd: line.period_end.toISOString() } : {}),
      ...(line.arithmetic ? { arithmetic: line.arithmetic } : {}),
      ...withTax(line),
    })),
    ...(invoice.tax_breakdown.length > 0
      ? {
          taxBreakdown: invoice.tax_breakdown.map((b) => ({
            ...(b.taxName ? { name: b.taxName } : {}),
            jurisdiction: b.jurisdiction,
            ratePercent: b.rate,
            taxableAmount: b.taxableAmount.amount,
            taxAmount: b.taxAmount.amount,
          })),
        }
      : {}),
    // Worded in the document's language: an issued document in the language it was issued in.
    ...(invoice.tax_notes.length > 0
      ? { taxNotes: invoice.tax_notes.map((n) => taxNoteText(customerView.locale, n)) }
      : {}),
  };
}

/** An interim invoice of threshold billing (domain/invoicing/threshold.ts). */
function isInterim(invoice: { subscription_id: string | null; billing_key: string | null }) {
  const key = invoice.subscription_id === null ? null : invoice.billing_key;
  return billingReasonOf(key) === 'subscription_threshold';
}
