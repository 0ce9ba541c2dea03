// Documents a customer is owed besides the invoice: a credit note, and a receipt per payment.
// Each is rendered once, on its first use (its email, or a request to the API), stored, and
// served as stored ever after; its PDF is printed once from that stored HTML. The document
// carries the invoice's snapshot of seller and customer ('issued'), as the invoice does.
import { createHash } from 'node:crypto';
import type { Db } from '../db/connect.ts';
import type { CreditNote } from '../db/database.ts';
import { getCreditNote } from '../db/repositories/credit-notes.ts';
import {
  getCustomerDocumentHtml,
  getCustomerDocumentPdf,
  storeCustomerDocumentHtml,
  storeCustomerDocumentPdf,
  type CustomerDocumentRef,
} from '../db/repositories/customer-documents.ts';
import type { StoredPdf } from '../db/repositories/invoice-documents.ts';
import { getInvoice } from '../db/repositories/invoices.ts';
import { appliedThrough, getPayment } from '../db/repositories/payments.ts';
import type { PdfRenderer } from '../documents/pdf.ts';
import type { DocumentRenderer } from '../documents/renderer.ts';
import type { CreditNoteView, InvoiceView, ReceiptView } from '../documents/views.ts';
import {
  invoiceViewOf,
  lineTaxOf,
  loadInvoiceRecords,
  type InvoiceViewSettings,
} from './invoice-view.ts';

export interface CustomerDocumentDependencies extends InvoiceViewSettings {
  db: Db;
  renderer: DocumentRenderer;
  /** Prints PDFs; without it there is HTML only. */
  pdf?: Pick<PdfRenderer, 'render'> | undefined;
}

const CREDIT_REASONS: Record<CreditNote['reason'], string> = {
  void: 'The invoice was cancelled.',
  refund: 'A refund.',
  correction: 'A correction to the invoice.',
  other: 'An adjustment to the invoice.',
};

/** The credit note as its document and email show it; undefined when there is none. */
export async function loadCreditNoteView(
  db: Db,
  creditNoteId: string,
  settings: InvoiceViewSettings,
  reach: 'issued' | 'current' = 'current',
): Promise<CreditNoteView | undefined> {
  const found = await getCreditNote(db, creditNoteId);
  if (!found) return undefined;
  const { creditNote, lines } = found;
  const records = await loadInvoiceRecords(db, creditNote.invoice_id);
  const invoice = invoiceViewOf(records, settings, reach);
  const row = records.invoice;
  // A credited line is taxed as the invoice line it credits.
  const taxOf = new Map(records.lines.map((line) => [line.id, lineTaxOf(line)]));
  return {
    seller: invoice.seller,
    brand: invoice.brand,
    ...(invoice.documentDesign ? { documentDesign: invoice.documentDesign } : {}),
    customer: invoice.customer,
    creditNote: {
      id: creditNote.id,
      number: creditNote.number,
      currency: creditNote.currency,
      issuedAt: creditNote.issued_at.toISOString(),
      reason: creditNote.memo || CREDIT_REASONS[creditNote.reason],
      invoiceNumber: invoice.invoice.number,
      subtotal: creditNote.subtotal,
      tax: creditNote.tax,
      total: creditNote.total,
      settlement:
        creditNote.reason === 'refund'
          ? 'refund'
          : creditNote.reason === 'void' || (row && row.amount_paid === 0)
            ? 'invoice'
            : 'balance',
    },
    lines: lines.map((line) => {
      const tax = taxOf.get(line.invoice_line_id);
      return {
        description: line.description,
        quantity: '1',
        unitAmount: String(line.amount),
        amount: line.amount,
        ...(tax && { tax }),
      };
    }),
  };
}

/** The receipt of one recorded payment; undefined when no payment has this id. */
export async function loadReceiptView(
  db: Db,
  paymentId: string,
  settings: InvoiceViewSettings,
  reach: 'issued' | 'current' = 'current',
): Promise<ReceiptView | undefined> {
  const payment = await getPayment(db, paymentId);
  if (!payment) return undefined;
  const [records, amountPaid] = await Promise.all([
    loadInvoiceRecords(db, payment.invoice_id),
    appliedThrough(db, payment),
  ]);
  const view = invoiceViewOf(records, settings, reach);
  const row = records.invoice;
  return receiptViewOf(
    view,
    { ...payment, paidAt: payment.paid_at.toISOString() },
    {
      amountPaid,
      // What is owed now, plus what later payments paid: the balance right after this one.
      remainingBalance: row ? Math.max(row.amount_due + row.amount_paid - amountPaid, 0) : 0,
      ...(payment.overpaid_amount > 0 && { creditCarried: payment.overpaid_amount }),
    },
  );
}

/** A receipt of `payment` against the invoice shown in `invoice`, with the balance it leaves. */
export function receiptViewOf(
  invoice: InvoiceView,
  payment: { id: string; amount: number; paidAt: string; method?: string | null | undefined },
  balance: Pick<ReceiptView, 'amountPaid' | 'remainingBalance' | 'creditCarried'>,
): ReceiptView {
  return {
    seller: invoice.seller,
    brand: invoice.brand,
    ...(invoice.documentDesign ? { documentDesign: invoice.documentDesign } : {}),
    customer: invoice.customer,
    invoice: invoice.invoice,
    lines: invoice.lines,
    payment: {
      id: payment.id,
      amount: payment.amount,
      paidAt: payment.paidAt,
      ...(payment.method ? { method: payment.method } : {}),
    },
    ...balance,
  };
}

/**
 * The document's stored HTML, rendered and stored on first use. Undefined when its credit note
 * or payment does not exist.
 */
export async function customerDocumentHtml(
  deps: CustomerDocumentDependencies,
  ref: CustomerDocumentRef,
): Promise<{ content: string; contentHash: string } | undefined> {
  const stored = await getCustomerDocumentHtml(deps.db, ref);
  if (stored) return stored;
  const content =
    ref.kind === 'credit_note'
      ? await renderWith(loadCreditNoteView(deps.db, ref.subjectId, deps, 'issued'), (view) =>
          deps.renderer.renderCreditNoteHtml(view),
        )
      : await renderWith(loadReceiptView(deps.db, ref.subjectId, deps, 'issued'), (view) =>
          deps.renderer.renderReceiptHtml(view),
        );
  if (content === undefined) return undefined;
  // If another process stored one meanwhile, theirs was first and is the one kept.
  return storeCustomerDocumentHtml(deps.db, ref, {
    content,
    contentHash: createHash('sha256').update(content).digest('hex'),
  });
}

async function renderWith<V>(
  loading: Promise<V | undefined>,
  render: (view: V) => string,
): Promise<string | undefined> {
  const view = await loading;
  return view && render(view);
}

/**
 * The document's stored PDF, printed from its stored HTML the first time; stored before it is
 * attached, so a retried email attaches the very same bytes. Undefined without a PDF renderer
 * or without the document.
 */
export async function customerDocumentPdf(
  deps: CustomerDocumentDependencies,
  ref: CustomerDocumentRef,
): Promise<StoredPdf | undefined> {
  const stored = await getCustomerDocumentPdf(deps.db, ref);
  if (stored || !deps.pdf) return stored;
  const html = await customerDocumentHtml(deps, ref);
  if (!html) return undefined;
  const printed = await deps.pdf.render(html.content);
  return storeCustomerDocumentPdf(deps.db, ref, {
    pdf: printed,
    contentHash: createHash('sha256').update(printed).digest('hex'),
    sourceHash: html.contentHash,
  });
}

/**
 * A receipt email's balance: paid so far and what remains (credits taken off), from the invoice
 * row; a payment not recorded yet is counted here.
 */
export async function receiptBalance(
  db: Db,
  invoiceId: string,
  total: number,
  thisPayment: number,
  paymentId: string,
): Promise<{ amountPaid: number; remainingBalance: number; creditCarried?: number }> {
  const row = await getInvoice(db, invoiceId);
  const recorded = await db
    .selectFrom('payments')
    .select(['overpaid_amount'])
    .where('id', '=', paymentId)
    .executeTakeFirst();
  if (row && recorded) {
    // A recorded payment is on the row already; what exceeded the balance became credit.
    return {
      amountPaid: row.amount_paid,
      remainingBalance: row.amount_due,
      ...(recorded.overpaid_amount > 0 && { creditCarried: recorded.overpaid_amount }),
    };
  }
  if (row && row.amount_paid >= thisPayment) {
    return { amountPaid: row.amount_paid, remainingBalance: row.amount_due };
  }
  // The payment is not on the invoice row yet: count it ourselves.
  return { amountPaid: thisPayment, remainingBalance: Math.max(total - thisPayment, 0) };
}
