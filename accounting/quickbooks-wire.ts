// QuickBooks Online's wire format as the adapter reads it: amounts (exact decimals per currency,
// both ways), documents as held, and the SDK's failures as AccountingSyncErrors.
import { minorUnitExponent } from '../domain/core/currency.ts';
import { decimal, shift, toDecimalString } from '../domain/core/decimal.ts';
import { toMajorUnitString } from '../domain/core/money.ts';
import { AccountingSyncError, type DocumentKind, type HeldDocument } from './port.ts';

/** A QuickBooks entity as JSON: its Id and SyncToken, and whatever else it holds. */
export type Entity = Record<string, unknown> & { Id?: string; SyncToken?: string };

export const PROVIDER = 'quickbooks';

/** Minor units as the decimal QuickBooks reads: 4900 EUR → 49, 1500 BHD → 1.5 (exact). */
export function toAmount(minorUnits: number, currency: string): number {
  return Number(toMajorUnitString({ amount: minorUnits, currency }));
}

/** A QuickBooks decimal back to minor units: 49.9 EUR → 4990; refuses what is not a whole cent. */
export function toMinorUnits(value: unknown, currency: string): number {
  const minor = shift(decimal(String(value)), minorUnitExponent(currency));
  const text = toDecimalString(minor);
  if (!/^-?\d+$/.test(text)) throw new RangeError(`${String(value)} ${currency} is not exact`);
  return Number(text);
}

export function toHeld(kind: DocumentKind, entity: Entity): HeldDocument {
  const currency = (entity.CurrencyRef as { value?: string } | undefined)?.value ?? 'USD';
  const reference = kind === 'payment' ? entity.PaymentRefNum : entity.DocNumber;
  return {
    kind,
    externalId: String(entity.Id),
    reference: typeof reference === 'string' ? reference : undefined,
    currency,
    amount: toMinorUnits(entity.TotalAmt ?? 0, currency),
    date: typeof entity.TxnDate === 'string' ? entity.TxnDate : '',
  };
}

interface FaultError {
  Message?: string;
  Detail?: string;
  code?: string;
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as { response?: { status?: unknown } } | undefined)?.response?.status;
  return typeof status === 'number' ? status : undefined;
}

/** The SDK's failure (an axios error, a Fault body, or our timeout) as an AccountingSyncError. */
export function toSyncError(error: unknown): AccountingSyncError {
  if (error instanceof AccountingSyncError) return error;
  const statusCode = statusOf(error);
  const data = (error as { response?: { data?: unknown } } | undefined)?.response?.data ?? error;
  const fault = (data as { Fault?: { Error?: FaultError[] } } | undefined)?.Fault?.Error?.[0];
  const retryable =
    statusCode === undefined
      ? fault === undefined // no answer at all (network, timeout); a Fault in a 200 is final
      : statusCode === 429 || statusCode >= 500 || statusCode === 401 || statusCode === 403;
  const text = fault
    ? `${fault.Message ?? 'fault'}${fault.Detail ? `: ${fault.Detail}` : ''}`
    : error instanceof Error
      ? error.message
      : 'unknown error';
  return new AccountingSyncError(`QuickBooks ${statusCode ?? 'request'}: ${text}`, {
    retryable,
    provider: PROVIDER,
    statusCode,
    code: fault?.code,
    cause: error,
  });
}
