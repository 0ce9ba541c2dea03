// The accounting system: QuickBooks Online when configured (config/, QUICKBOOKS_REALM_ID),
// otherwise none, and nothing is synced (the API says so).
import type { AccountingSystem } from './port.ts';
import { createQuickBooksSystem, type QuickBooksOptions } from './quickbooks.ts';

export function createAccountingSystem(
  quickbooks: QuickBooksOptions | undefined,
): AccountingSystem | undefined {
  return quickbooks ? createQuickBooksSystem(quickbooks) : undefined;
}
