// Why a use case refused a request, in words every caller maps on its own: the API to a problem
// document, an activity to an outcome it records.

export type RefusalKind = 'not_found' | 'conflict' | 'unprocessable' | 'unavailable';

/** A request field at fault and what is wrong with it. */
export interface FieldIssue {
  field: string;
  message: string;
}

export class Refused extends Error {
  readonly kind: RefusalKind;
  /** The request field at fault (unprocessable). */
  readonly field: string | undefined;
  /** Every field at fault, when a request is refused for several at once (unprocessable). */
  readonly issues: FieldIssue[] | undefined;

  constructor(
    kind: RefusalKind,
    message: string,
    options: { field?: string; issues?: FieldIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Refused';
    this.kind = kind;
    this.field = options.field;
    this.issues = options.issues;
  }
}

/** Refused as unprocessable for every issue; the message lists them (`field: message; …`). */
export function refusedFor(issues: FieldIssue[]): Refused {
  return new Refused(
    'unprocessable',
    issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '),
    { issues },
  );
}
