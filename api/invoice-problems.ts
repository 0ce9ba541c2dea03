// The invoice repository's refusals as the problems a client sees, for every route that edits
// an invoice (invoices, manual invoices, collections).
import {
  InvalidInvoiceRequestError,
  InvalidInvoiceTransitionError,
  InvoiceNotFoundError,
} from '../db/repositories/invoice-errors.ts';
import { TaxRequestError } from '../domain/tax/validation.ts';
import { conflict, notFound, Problem, unprocessable } from './problem.ts';

/** The repository's refusals as problems: 404, 409 (invalid transition), 422. */
export function invoiceProblem(error: unknown): unknown {
  if (error instanceof InvoiceNotFoundError) return notFound(error.message);
  if (error instanceof InvalidInvoiceTransitionError) return conflict(error.message);
  if (error instanceof InvalidInvoiceRequestError) {
    return unprocessable(error.field, error.message);
  }
  if (error instanceof TaxRequestError) {
    return new Problem({
      status: 422,
      slug: 'unprocessable',
      detail: `the invoice cannot be taxed: ${error.issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
      errors: error.issues,
    });
  }
  return error;
}
