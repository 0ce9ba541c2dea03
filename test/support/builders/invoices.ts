// Invoices as stored, for tests that read, render, email or constrain them without issuing them
// through the billing path; and how tests finalize invoices through the repository.
import type { Insertable } from 'kysely';
import { loadConfig, type BillwrightConfig } from '../../../config/index.ts';
import type { Db } from '../../../db/connect.ts';
import type { Database } from '../../../db/database.ts';
import { newId } from '../../../db/ids.ts';
import type { FinalizeOptions } from '../../../db/repositories/invoice-finalization.ts';
import { createBuiltInTaxProvider } from '../../../domain/tax/built-in.ts';

/** An open EUR invoice of 49.00 + 9.80 VAT, issued on 1 January 2027; answers its id. */
export async function insertInvoiceRow(
  db: Db,
  values: Partial<Insertable<Database['invoices']>> & { customer_id: string },
): Promise<string> {
  const id = values.id ?? newId('inv');
  await db
    .insertInto('invoices')
    .values({
      number: `INV-2027-${id.slice(-6)}`,
      status: 'open',
      currency: 'EUR',
      subtotal: 4900,
      tax: 980,
      total: 5880,
      issued_at: '2027-01-01T00:00:00Z',
      due_at: '2027-01-31T00:00:00Z',
      ...values,
      id,
    })
    .execute();
  return id;
}

/** The invoice's first line: one unit at 49.00. */
export async function insertInvoiceLine(
  db: Db,
  values: Partial<Insertable<Database['invoice_lines']>> & { invoice_id: string },
): Promise<void> {
  await db
    .insertInto('invoice_lines')
    .values({
      position: 0,
      description: 'Pro plan',
      quantity: '1',
      unit_amount: '4900',
      amount: 4900,
      total_amount: 4900,
      ...values,
    })
    .execute();
}

/** How tests finalize invoices: the built-in tax engine and the default configuration. */
export function finalizeOptions(config: BillwrightConfig = loadConfig({})): FinalizeOptions {
  return {
    tax: {
      provider: createBuiltInTaxProvider(),
      seller: config.taxSeller,
      rounding: config.taxRounding,
    },
    numbering: config.invoiceNumbering,
    seller: config.seller,
  };
}
