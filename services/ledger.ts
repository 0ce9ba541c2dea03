// The ledger's use cases: the chart of accounts and its mappings (operators), and what finance
// reads: the trial balance, an account's statement and the journal export. Postings are made by
// the repositories that move money (db/repositories/ledger.ts), never from here.
import type { Db } from '../db/connect.ts';
import type { LedgerAccount } from '../db/database.ts';
import {
  balanceBefore,
  journalLines,
  trialBalance as readTrialBalance,
  type JournalRow,
  type LedgerPeriod,
  type TrialBalanceRow,
} from '../db/repositories/ledger-reports.ts';
import * as ledger from '../db/repositories/ledger.ts';
import { isCurrencyCode } from '../domain/core/currency.ts';
import { checkMappings, type AccountMapping } from '../domain/ledger/accounts.ts';
import { journalCsv, withRunningBalance } from '../domain/ledger/export.ts';
import { Refused, refusedFor } from './refused.ts';

export async function listAccounts(db: Db): Promise<LedgerAccount[]> {
  return ledger.listAccounts(db);
}

/** Adds an account to the chart; a code already in use is a conflict. */
export async function createAccount(
  db: Db,
  account: Pick<LedgerAccount, 'code' | 'name' | 'type'>,
): Promise<LedgerAccount> {
  const created = await ledger.createAccount(db, account);
  if (!created) {
    throw new Refused('conflict', `an account with code ${account.code} exists`, {
      field: 'code',
    });
  }
  return created;
}

export async function accountMappings(db: Db): Promise<AccountMapping[]> {
  return ledger.listMappings(db);
}

/**
 * Replaces the mappings (every role needs its default). Entries posted from now on use them;
 * entries already posted keep the accounts they were posted to.
 */
export async function replaceAccountMappings(
  db: Db,
  mappings: AccountMapping[],
): Promise<AccountMapping[]> {
  const codes = new Set((await ledger.listAccounts(db)).map((a) => a.code));
  const issues = checkMappings(mappings, codes);
  if (issues.length > 0) throw refusedFor(issues);
  return ledger.replaceMappings(db, mappings);
}

function checkPeriod(query: LedgerPeriod & { currency?: string | undefined }): void {
  if (query.currency !== undefined && !isCurrencyCode(query.currency)) {
    throw new Refused('unprocessable', `${query.currency} is not an ISO 4217 currency`, {
      field: 'currency',
    });
  }
  for (const field of ['from', 'to'] as const) {
    const day = query[field];
    if (day !== undefined && Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
      throw new Refused('unprocessable', `${day} is not a calendar date`, { field });
    }
  }
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
    throw new Refused('unprocessable', 'the period ends before it starts', { field: 'from' });
  }
}

export interface TrialBalance {
  currency: string;
  period: LedgerPeriod;
  accounts: TrialBalanceRow[];
  totals: { opening: number; debit: number; credit: number; closing: number };
}

/** Every account's opening, movements and closing in a currency; totals net to zero. */
export async function trialBalance(
  db: Db,
  query: LedgerPeriod & { currency: string },
): Promise<TrialBalance> {
  checkPeriod(query);
  const accounts = await readTrialBalance(db, query);
  const add = (k: 'opening' | 'debit' | 'credit' | 'closing') =>
    accounts.reduce((t, a) => t + a[k], 0);
  return {
    currency: query.currency,
    period: { from: query.from, to: query.to },
    accounts,
    totals: {
      opening: add('opening'),
      debit: add('debit'),
      credit: add('credit'),
      closing: add('closing'),
    },
  };
}

export interface AccountStatement {
  account: LedgerAccount;
  currency: string;
  customerId: string | undefined;
  period: LedgerPeriod;
  opening: number;
  lines: (JournalRow & { balance: number })[];
  closing: number;
}

/** An account's lines in a period with the running balance, optionally one customer's. */
export async function accountStatement(
  db: Db,
  code: string,
  query: LedgerPeriod & { currency: string; customerId?: string | undefined },
): Promise<AccountStatement> {
  checkPeriod(query);
  const account = await ledger.getAccount(db, code);
  if (!account) throw new Refused('not_found', `no account has code ${code}`);
  const filter = { ...query, accountCode: code };
  const opening = await balanceBefore(db, filter);
  const lines = withRunningBalance(opening, await journalLines(db, filter));
  return {
    account,
    currency: query.currency,
    customerId: query.customerId,
    period: { from: query.from, to: query.to },
    opening,
    lines,
    closing: lines.at(-1)?.balance ?? opening,
  };
}

/** The journal's lines in a period (all currencies unless one is given), in posting order. */
export async function journal(
  db: Db,
  query: LedgerPeriod & { currency?: string | undefined },
): Promise<JournalRow[]> {
  checkPeriod(query);
  return journalLines(db, query);
}

/** The same lines as CSV (docs/FINANCE.md#journal-export lists the columns). */
export async function journalAsCsv(
  db: Db,
  query: LedgerPeriod & { currency?: string | undefined },
): Promise<string> {
  return journalCsv(await journal(db, query));
}
