// Why a use case refused a request, in words every caller maps on its own: the API to a problem
// document, an activity to an outcome it records.

export type RefusalKind = 'not_found' | 'conflict' | 'unprocessable' | 'unavailable';

export class Refused extends Error {
  readonly kind: RefusalKind;
  /** The request field at fault (unprocessable). */
  readonly field: string | undefined;

  constructor(
    kind: RefusalKind,
    message: string,
    options: { field?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Refused';
    this.kind = kind;
    this.field = options.field;
  }
}
