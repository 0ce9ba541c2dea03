// Why an invoice or credit-note operation was refused. The API maps them to problems:
// not found → 404, an invalid transition → 409, an impossible request → 422.
import {
  refusalOf,
  type InvoiceAction,
  type InvoiceStatus,
} from '../../domain/invoicing/lifecycle.ts';

export class InvoiceNotFoundError extends Error {
  readonly invoiceId: string;

  constructor(invoiceId: string) {
    super(`invoice ${invoiceId} does not exist`);
    this.name = 'InvoiceNotFoundError';
    this.invoiceId = invoiceId;
  }
}

/** The action is not allowed in the invoice's status (editing a finalized invoice, …). */
export class InvalidInvoiceTransitionError extends Error {
  readonly invoiceId: string;
  readonly action: InvoiceAction;
  readonly status: InvoiceStatus;

  constructor(invoiceId: string, action: InvoiceAction, status: InvoiceStatus) {
    super(refusalOf(action, status));
    this.name = 'InvalidInvoiceTransitionError';
    this.invoiceId = invoiceId;
    this.action = action;
    this.status = status;
  }
}

/** A request the invoice cannot take: a credit above what is left, an unknown line, … */
export class InvalidInvoiceRequestError extends Error {
  /** The request field at fault: `amount`, `lines[1].position`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'InvalidInvoiceRequestError';
    this.field = field;
  }
}
