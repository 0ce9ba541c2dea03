// The invoice use cases an operator runs: reading invoices, writing manual ones and editing
// drafts (lines priced by hand: one rule for a line's amount, whichever request carries it),
// voiding and writing off (stored first, then the invoice's collection is told). Finalizing is
// in invoice-finalization.ts, crediting in credit-notes.ts. Refusals are thrown as Refused.
import type { Db } from '../db/connect.ts';
import type { Invoice, InvoiceLine } from '../db/database.ts';
import type { CreditNoteWithLines } from '../db/repositories/credit-notes.ts';
import { getCustomer } from '../db/repositories/customers.ts';
import { getInvoice, getInvoiceLines, listInvoices } from '../db/repositories/invoices.ts';
import { type NewInvoiceLine } from '../db/repositories/invoice-drafts.ts';
import { type DraftChanges } from '../db/repositories/invoice-drafts.ts';
import { voidInvoice as voidStoredInvoice } from '../db/repositories/invoice-lifecycle.ts';
import { updateDraft } from '../db/repositories/invoice-drafts.ts';
import { markUncollectible } from '../db/repositories/invoice-lifecycle.ts';
import { InvalidInvoiceRequestError } from '../db/repositories/invoice-errors.ts';
import { createDraftInvoice } from '../db/repositories/invoice-drafts.ts';
import { toPage } from '../db/pagination.ts';
import { decimal } from '../domain/core/decimal.ts';
import { decimalOf, lineAmount, type DecimalInput } from '../domain/invoicing/line-amount.ts';
import type { NumberingSettings } from '../domain/invoicing/numbering.ts';
import type { TaxCategory } from '../domain/tax/types.ts';
import { tellCollection } from './collections.ts';
import { creditNotesIssued } from '../observability/metrics.ts';
import type { ServiceDependencies } from './dependencies.ts';
import { refusingAsInvoice } from './invoice-refusals.ts';
import { Refused } from './refused.ts';

/** The most units a line priced by hand may bill. */
export const MAX_QUANTITY = 1_000_000_000;

/**
 * A line priced by hand: amount = quantity × unit price, rounded half up once (exact for whole
 * numbers). Refuses a quantity out of range, or an amount past a safe integer, naming the field.
 */
export function draftLine(
  line: { description: string; quantity: DecimalInput; unitAmount: DecimalInput },
  i: number,
  minimumQuantity: 0 | 1,
): Pick<NewInvoiceLine, 'description' | 'quantity' | 'unitAmount' | 'amount'> {
  const quantity = decimal(line.quantity);
  if ((minimumQuantity === 1 ? quantity.lte(0) : quantity.lt(0)) || quantity.gt(MAX_QUANTITY)) {
    throw new InvalidInvoiceRequestError(
      `lines[${i}].quantity`,
      `must be ${minimumQuantity === 1 ? 'above 0' : 'at least 0'} and at most 10^9`,
    );
  }
  let amount: number;
  try {
    amount = lineAmount(line.quantity, line.unitAmount);
  } catch {
    throw new InvalidInvoiceRequestError(`lines[${i}].amount`, 'is too large');
  }
  return {
    description: line.description,
    quantity: decimalOf(line.quantity),
    unitAmount: decimalOf(line.unitAmount),
    amount,
  };
}

/** An invoice with its lines, as every use case here answers it. */
export interface InvoiceWithLines {
  invoice: Invoice;
  lines: InvoiceLine[];
}

export async function withLines(db: Db, invoice: Invoice): Promise<InvoiceWithLines> {
  return { invoice, lines: await getInvoiceLines(db, invoice.id) };
}

/** A page of invoices, most recently issued first (drafts by creation). */
export async function findInvoices(
  db: Db,
  filter: Parameters<typeof listInvoices>[1],
): Promise<{ items: Invoice[]; hasMore: boolean }> {
  // One more than the page tells whether there are more.
  return toPage(await listInvoices(db, { ...filter, limit: filter.limit + 1 }), filter.limit);
}

export async function getInvoiceWithLines(db: Db, id: string): Promise<InvoiceWithLines> {
  const invoice = await getInvoice(db, id);
  if (!invoice) throw new Refused('not_found', `Invoice ${id} does not exist.`);
  return withLines(db, invoice);
}

/** A line as an operator writes it: priced by hand, with its tax category. */
export interface HandPricedLine {
  description: string;
  quantity: DecimalInput;
  unitAmount: DecimalInput;
  taxCategory?: TaxCategory | undefined;
}

export interface ManualInvoiceOrder {
  customerId: string;
  currency?: string | undefined;
  taxBehavior?: DraftChanges['taxBehavior'];
  lines: HandPricedLine[];
}

/** A one-off invoice as a draft, in the customer's currency (refused in any other). */
export async function createManualInvoice(
  db: Db,
  order: ManualInvoiceOrder,
): Promise<InvoiceWithLines> {
  const { customerId, currency, taxBehavior, lines } = order;
  const customer = await getCustomer(db, customerId);
  if (!customer) {
    throw new Refused('unprocessable', `customer ${customerId} does not exist`, {
      field: 'customerId',
    });
  }
  if (currency !== undefined && currency !== customer.currency) {
    throw new Refused('unprocessable', `customer ${customerId} is billed in ${customer.currency}`, {
      field: 'currency',
    });
  }
  const invoice = await refusingAsInvoice(async () =>
    createDraftInvoice(db, {
      customerId,
      currency: customer.currency,
      taxBehavior,
      origin: 'manual',
      lines: lines.map((line, i) => ({
        ...draftLine(line, i, 1),
        taxCategory: line.taxCategory ?? 'standard',
      })),
    }),
  );
  return withLines(db, invoice);
}

/** Replaces a draft's lines and/or its price basis; a finalized invoice is refused (409). */
export async function editDraft(
  db: Db,
  id: string,
  edit: {
    lines?: (HandPricedLine & { discountAmount?: number | undefined })[] | undefined;
    taxBehavior?: DraftChanges['taxBehavior'];
  },
): Promise<InvoiceWithLines> {
  const { lines, taxBehavior } = edit;
  const invoice = await refusingAsInvoice(async () =>
    updateDraft(db, id, {
      taxBehavior,
      ...(lines && {
        lines: lines.map((line, i) => ({
          ...draftLine(line, i, 0),
          discountAmount: line.discountAmount ?? 0,
          ...(line.taxCategory && { taxCategory: line.taxCategory }),
        })),
      }),
    }),
  );
  return withLines(db, invoice);
}

/**
 * Voids the invoice with a credit note for what was not yet credited, then tells its
 * collection (which ends and emails the credit note). Voiding a void invoice answers it again.
 */
export async function voidInvoice(
  deps: ServiceDependencies & { numbering: NumberingSettings },
  id: string,
): Promise<InvoiceWithLines & { creditNote: CreditNoteWithLines | null }> {
  const { invoice, creditNote, voidedNow } = await refusingAsInvoice(() =>
    voidStoredInvoice(deps.db, id, { numbering: deps.numbering }),
  );
  if (voidedNow && creditNote) {
    creditNotesIssued.inc({ origin: 'void', currency: creditNote.creditNote.currency });
  }
  await tellCollection(deps, invoice.id, 'void', 'The invoice is void');
  return { ...(await withLines(deps.db, invoice)), creditNote };
}

/** Writes the invoice off (it may still be paid), then tells its collection to stop reminding. */
export async function writeOffInvoice(
  deps: ServiceDependencies,
  id: string,
): Promise<InvoiceWithLines> {
  const invoice = await refusingAsInvoice(() => markUncollectible(deps.db, id));
  await tellCollection(deps, invoice.id, 'uncollectible', 'The invoice is written off');
  return withLines(deps.db, invoice);
}
