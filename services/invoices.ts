// Invoices priced by hand (manual invoices and draft edits): one rule for a line's amount, and
// the refusals it gives, whichever request carries the line.
import type { NewInvoiceLine } from '../db/repositories/invoice-drafts.ts';
import { InvalidInvoiceRequestError } from '../db/repositories/invoice-errors.ts';
import { decimal } from '../domain/decimal.ts';
import { decimalOf, lineAmount, type DecimalInput } from '../domain/invoicing/line-amount.ts';

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
