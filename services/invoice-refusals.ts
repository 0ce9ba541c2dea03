// The invoice family's refusals (the invoice, its credit notes, payments and collection) as the
// one Refused every caller maps: the repositories refuse in their own typed errors, and the use
// cases of this family speak only Refused.
import { CollectionStateError } from '../db/repositories/collections.ts';
import { InvoiceNotFoundError } from '../db/repositories/invoice-errors.ts';
import { InvalidInvoiceTransitionError } from '../db/repositories/invoice-errors.ts';
import { InvalidInvoiceRequestError } from '../db/repositories/invoice-errors.ts';
import { PaymentConflictError } from '../db/repositories/payments.ts';
import { TaxRequestError } from '../domain/tax/validation.ts';
import { Refused } from './refused.ts';

/** The refusal an invoice repository error stands for; anything else as it is. */
export function invoiceRefusal(error: unknown): unknown {
  const cause = { cause: error };
  if (error instanceof InvoiceNotFoundError) return new Refused('not_found', error.message, cause);
  if (
    error instanceof InvalidInvoiceTransitionError ||
    error instanceof PaymentConflictError ||
    error instanceof CollectionStateError
  ) {
    return new Refused('conflict', error.message, cause);
  }
  if (error instanceof InvalidInvoiceRequestError) {
    return new Refused('unprocessable', error.message, { field: error.field, ...cause });
  }
  if (error instanceof TaxRequestError) {
    return new Refused(
      'unprocessable',
      `the invoice cannot be taxed: ${error.issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
      { issues: error.issues, ...cause },
    );
  }
  return error;
}

/** Runs a step of an invoice use case, its repository's refusal thrown as Refused. */
export async function refusingAsInvoice<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw invoiceRefusal(error);
  }
}
