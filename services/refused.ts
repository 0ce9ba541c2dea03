// Why a use case refused a request, in words every caller maps on its own: the API to a problem
// document, an activity to an outcome it records.

export type RefusalKind = 'not_found' | 'conflict' | 'unprocessable' | 'unavailable';

/** One request field at fault, when a refusal names several (a customer that cannot be taxed). */
export interface RefusedField {
  field: string;
  message: string;
}

export class Refused extends Error {
  readonly kind: RefusalKind;
  /** The request field at fault (unprocessable). */
  readonly field: string | undefined;
  /** Every field at fault, when there are several; the message then says it all. */
  readonly fields: RefusedField[] | undefined;

  constructor(
    kind: RefusalKind,
    message: string,
    options: { field?: string; fields?: RefusedField[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Refused';
    this.kind = kind;
    this.field = options.field;
    this.fields = options.fields;
  }
}
