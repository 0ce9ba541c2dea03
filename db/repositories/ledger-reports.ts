// Reading the journal: the trial balance, an account's lines, and the journal's lines for a
// period, always in posting order (business date, entry sequence, line position) so a report read
// twice is the same report.
import { sql, type Transaction } from 'kysely';
import type { AccountType } from '../../domain/ledger/accounts.ts';
import type { ExportedLine } from '../../domain/ledger/export.ts';
import type { JournalKind } from '../../domain/ledger/postings.ts';
import { parseInt8, type Db } from '../connect.ts';
import type { Database } from '../database.ts';

type Executor = Db | Transaction<Database>;

/** A business-date period, both ends inclusive (YYYY-MM-DD); an open end is unbounded. */
export interface LedgerPeriod {
  from?: string | undefined;
  to?: string | undefined;
}

export interface TrialBalanceRow {
  code: string;
  name: string;
  type: AccountType;
  /** Debit-positive balance before the period. */
  opening: number;
  debit: number;
  credit: number;
  /** opening + debit − credit. */
  closing: number;
}

const amount = (value: string | number | null) => parseInt8(String(value ?? 0));

/** Every account with lines in `currency` up to the period's end, with its movements. */
export async function trialBalance(
  db: Executor,
  query: LedgerPeriod & { currency: string },
): Promise<TrialBalanceRow[]> {
  const from = query.from ?? '0000-01-01';
  const rows = await db
    .selectFrom('journal_lines as l')
    .innerJoin('journal_entries as e', 'e.id', 'l.entry_id')
    .innerJoin('ledger_accounts as a', 'a.code', 'l.account_code')
    .select([
      'a.code',
      'a.name',
      'a.type',
      sql<string>`coalesce(sum(l.debit - l.credit) filter (where e.business_date < ${from}), 0)`.as(
        'opening',
      ),
      sql<string>`coalesce(sum(l.debit) filter (where e.business_date >= ${from}), 0)`.as('debit'),
      sql<string>`coalesce(sum(l.credit) filter (where e.business_date >= ${from}), 0)`.as(
        'credit',
      ),
    ])
    .where('l.currency', '=', query.currency)
    .$if(query.to !== undefined, (q) => q.where('e.business_date', '<=', query.to!))
    .groupBy(['a.code', 'a.name', 'a.type'])
    .orderBy('a.code')
    .execute();
  return rows.map((r) => {
    const opening = amount(r.opening);
    const debit = amount(r.debit);
    const credit = amount(r.credit);
    return { ...r, opening, debit, credit, closing: opening + debit - credit };
  });
}

/** One journal line with its entry and account, as reports and the export show it. */
export interface JournalRow extends ExportedLine {
  position: number;
  kind: JournalKind;
  accountType: AccountType;
}

interface LineFilter extends LedgerPeriod {
  currency?: string | undefined;
  accountCode?: string | undefined;
  customerId?: string | undefined;
}

function journalQuery(db: Executor, filter: LineFilter) {
  return db
    .selectFrom('journal_lines as l')
    .innerJoin('journal_entries as e', 'e.id', 'l.entry_id')
    .innerJoin('ledger_accounts as a', 'a.code', 'l.account_code')
    .leftJoin('invoices as i', 'i.id', 'e.invoice_id')
    .$if(filter.currency !== undefined, (q) => q.where('l.currency', '=', filter.currency!))
    .$if(filter.accountCode !== undefined, (q) =>
      q.where('l.account_code', '=', filter.accountCode!),
    )
    .$if(filter.customerId !== undefined, (q) => q.where('e.customer_id', '=', filter.customerId!));
}

/** The journal's lines in the period, in posting order. */
export async function journalLines(db: Executor, filter: LineFilter): Promise<JournalRow[]> {
  const rows = await journalQuery(db, filter)
    .select([
      'e.id as entryId',
      'l.id as lineId',
      'l.position',
      'e.business_date as date',
      'e.kind',
      'a.code as accountCode',
      'a.name as accountName',
      'a.type as accountType',
      'l.currency',
      'l.debit',
      'l.credit',
      'e.customer_id as customerId',
      'e.invoice_id as invoiceId',
      'e.payment_id as paymentId',
      'e.credit_note_id as creditNoteId',
      // An invoice's own entry is posted before it is numbered: its number is the invoice's.
      sql<string | null>`coalesce(e.document_number, i.number)`.as('documentNumber'),
      'l.plan_code as planCode',
      'l.origin',
      'l.tax_jurisdiction as taxJurisdiction',
      'l.tax_rate as taxRate',
      'l.payment_method as paymentMethod',
      'e.description',
      'l.memo',
    ])
    .$if(filter.from !== undefined, (q) => q.where('e.business_date', '>=', filter.from!))
    .$if(filter.to !== undefined, (q) => q.where('e.business_date', '<=', filter.to!))
    .orderBy('e.business_date')
    .orderBy('e.sequence')
    .orderBy('l.position')
    .execute();
  return rows.map((r) => ({ ...r, currency: r.currency.trim() }));
}

/** An account's debit-positive balance before `from` (all of it when from is absent: 0). */
export async function balanceBefore(
  db: Executor,
  filter: Omit<LineFilter, 'to'> & { accountCode: string; currency: string },
): Promise<number> {
  if (filter.from === undefined) return 0;
  const row = await journalQuery(db, filter)
    .select(sql<string>`coalesce(sum(l.debit - l.credit), 0)`.as('balance'))
    .where('e.business_date', '<', filter.from)
    .executeTakeFirstOrThrow();
  return amount(row.balance);
}
