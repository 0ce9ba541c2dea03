// A call to an outside provider (email, accounting) that failed, and whether trying again can
// help. Each port names its own kind (EmailSendError, AccountingSyncError) on this one shape, so
// activities decide retry or give up the same way whatever the provider.

export interface ProviderErrorDetails {
  retryable: boolean;
  provider: string;
  statusCode?: number | undefined;
  code?: string | undefined;
  cause?: unknown;
}

export class ProviderError extends Error {
  readonly retryable: boolean;
  readonly provider: string;
  /** HTTP status from the provider; undefined when no answer came back. */
  readonly statusCode: number | undefined;
  /** The provider's error code, e.g. Resend's "validation_error", QuickBooks' "6240". */
  readonly code: string | undefined;

  constructor(message: string, details: ProviderErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.retryable = details.retryable;
    this.provider = details.provider;
    this.statusCode = details.statusCode;
    this.code = details.code;
  }
}
