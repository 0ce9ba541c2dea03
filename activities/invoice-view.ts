// Loads everything a document or email about an invoice shows, in one place.
import type { BillwrightConfig } from '../config/index.ts';
import type { Db } from '../db/connect.ts';
import { getInvoice, getInvoiceLines } from '../db/repositories/invoices.ts';
import type { InvoiceView } from '../documents/views.ts';

export async function loadInvoiceView(
  db: Db,
  invoiceId: string,
  config: Pick<BillwrightConfig, 'seller' | 'brand'>,
): Promise<InvoiceView> {
  const invoice = await getInvoice(db, invoiceId);
  if (!invoice) throw new Error(`invoice ${invoiceId} not found`);
  const [lines, customer] = await Promise.all([
    getInvoiceLines(db, invoiceId),
    db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', invoice.customer_id)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    seller: config.seller,
    brand: config.brand,
    customer: {
      name: customer.name,
      email: customer.email,
      locale: customer.locale,
      timezone: customer.timezone,
    },
    invoice: {
      id: invoice.id,
      number: invoice.number,
      status: invoice.status,
      currency: invoice.currency,
      issuedAt: invoice.issued_at.toISOString(),
      dueAt: invoice.due_at.toISOString(),
      ...(invoice.period_start ? { periodStart: invoice.period_start.toISOString() } : {}),
      ...(invoice.period_end ? { periodEnd: invoice.period_end.toISOString() } : {}),
      subtotal: invoice.subtotal,
      tax: invoice.tax,
      total: invoice.total,
    },
    lines: lines.map((line) => ({
      description: line.description,
      quantity: line.quantity,
      unitAmount: line.unit_amount,
      amount: line.amount,
      ...(line.period_start ? { periodStart: line.period_start.toISOString() } : {}),
      ...(line.period_end ? { periodEnd: line.period_end.toISOString() } : {}),
    })),
  };
}
