// The ledger routes' request and response shapes, and how accounts, mappings, the trial balance,
// a statement and the journal are shown. Amounts are integer minor units with the currency.
import { Type, type Static } from 'typebox';
import type { LedgerAccount } from '../../db/database.ts';
import type { JournalRow } from '../../db/repositories/ledger-reports.ts';
import {
  ACCOUNT_ROLES,
  ACCOUNT_TYPES,
  INVOICE_ORIGINS,
  type AccountMapping,
} from '../../domain/ledger/accounts.ts';
import { decimalAmount, JOURNAL_COLUMNS } from '../../domain/ledger/export.ts';
import { JOURNAL_KINDS } from '../../domain/ledger/postings.ts';
import type { AccountStatement, TrialBalance } from '../../services/ledger.ts';
import { CurrencyCode } from './common.ts';

export const AccountCode = Type.String({
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$',
  description: 'The account’s code in the chart, e.g. 4000: letters, digits, `.`, `_`, `-`.',
  examples: ['4000'],
});

const Day = Type.String({
  format: 'date',
  description: 'A business date (YYYY-MM-DD), inclusive.',
  examples: ['2027-01-31'],
});

export const AccountSchema = Type.Object(
  {
    code: AccountCode,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.Enum([...ACCOUNT_TYPES]),
  },
  { $id: 'LedgerAccount', title: 'LedgerAccount' },
);

export const CreateAccountBody = Type.Object(
  {
    code: AccountCode,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.Enum([...ACCOUNT_TYPES], {
      description: 'asset, liability, equity, revenue or expense.',
    }),
  },
  { additionalProperties: false },
);

const DimensionText = Type.String({ minLength: 1, maxLength: 100 });

export const MappingSchema = Type.Object(
  {
    role: Type.Enum([...ACCOUNT_ROLES], {
      description: 'What the account is used for when an event is posted.',
    }),
    planCode: Type.Optional({ ...DimensionText, description: 'revenue only: this plan’s.' }),
    origin: Type.Optional(
      Type.Enum([...INVOICE_ORIGINS], { description: 'revenue only: invoices of this origin.' }),
    ),
    jurisdiction: Type.Optional({
      ...DimensionText,
      description: 'tax_payable only: tax of this jurisdiction (as on invoice lines, e.g. FR).',
    }),
    taxRate: Type.Optional(
      Type.String({
        pattern: '^\\d+(\\.\\d+)?$',
        maxLength: 30,
        description:
          'tax_payable only, with jurisdiction: this rate in percent, as on invoice lines (e.g. 20).',
      }),
    ),
    method: Type.Optional({ ...DimensionText, description: 'cash only: this payment method.' }),
    accountCode: AccountCode,
  },
  { additionalProperties: false },
);

export const ReplaceMappingsBody = Type.Object(
  { mappings: Type.Array(MappingSchema, { minItems: 1, maxItems: 500 }) },
  { additionalProperties: false },
);

export const MappingsSchema = Type.Object({ data: Type.Array(MappingSchema) });

export const PeriodQuery = {
  from: Type.Optional(Day),
  to: Type.Optional(Day),
};

export const TrialBalanceQuery = Type.Object(
  { currency: CurrencyCode, ...PeriodQuery },
  { additionalProperties: false },
);

export const StatementQuery = Type.Object(
  {
    currency: CurrencyCode,
    ...PeriodQuery,
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const JournalQuery = Type.Object(
  {
    ...PeriodQuery,
    currency: Type.Optional(CurrencyCode),
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('csv')], {
        description: 'json (default) or csv; without it, Accept: text/csv asks for CSV.',
      }),
    ),
  },
  { additionalProperties: false },
);

const Minor = Type.Integer({ description: 'Integer minor units of the currency.' });
const NullableText = Type.Union([Type.String(), Type.Null()]);

const PeriodSchema = Type.Object({
  from: Type.Union([Day, Type.Null()]),
  to: Type.Union([Day, Type.Null()]),
});

export const TrialBalanceSchema = Type.Object({
  currency: CurrencyCode,
  period: PeriodSchema,
  accounts: Type.Array(
    Type.Object({
      code: AccountCode,
      name: Type.String(),
      type: Type.Enum([...ACCOUNT_TYPES]),
      opening: { ...Minor, description: 'Debit-positive balance before the period.' },
      debit: Minor,
      credit: Minor,
      closing: { ...Minor, description: 'opening + debit − credit.' },
    }),
  ),
  totals: Type.Object(
    { opening: Minor, debit: Minor, credit: Minor, closing: Minor },
    { description: 'Opening and closing are always 0, and debit equals credit.' },
  ),
});

const journalLineFields = {
  entryId: Type.String(),
  lineId: Type.Integer(),
  date: Day,
  kind: Type.Enum([...JOURNAL_KINDS]),
  accountCode: AccountCode,
  accountName: Type.String(),
  accountType: Type.Enum([...ACCOUNT_TYPES]),
  currency: CurrencyCode,
  debit: Type.String({ description: 'Exact decimal of the major unit, e.g. "49.00".' }),
  credit: Type.String({ description: 'Exact decimal of the major unit.' }),
  debitMinor: Minor,
  creditMinor: Minor,
  customerId: Type.String(),
  invoiceId: NullableText,
  paymentId: NullableText,
  creditNoteId: NullableText,
  documentNumber: NullableText,
  planCode: NullableText,
  origin: NullableText,
  taxJurisdiction: NullableText,
  taxRate: NullableText,
  paymentMethod: NullableText,
  description: Type.String(),
  memo: NullableText,
};

export const JournalLineSchema = Type.Object(journalLineFields);

export const StatementSchema = Type.Object({
  account: AccountSchema,
  currency: CurrencyCode,
  customerId: NullableText,
  period: PeriodSchema,
  opening: Minor,
  lines: Type.Array(
    Type.Object({
      ...journalLineFields,
      balance: { ...Minor, description: 'The account’s debit-positive balance after this line.' },
    }),
  ),
  closing: Minor,
});

export const JournalSchema = Type.Object({
  period: PeriodSchema,
  currency: Type.Union([CurrencyCode, Type.Null()]),
  data: Type.Array(JournalLineSchema),
});

export const JournalCsv = {
  description:
    `The journal as CSV (RFC 4180, CRLF, a header row), one row per line in posting order; ` +
    `columns: ${JOURNAL_COLUMNS.join(', ')}.`,
  content: { 'text/csv': { schema: Type.String() } },
};

export function toAccount(a: LedgerAccount): Static<typeof AccountSchema> {
  return { code: a.code, name: a.name, type: a.type };
}

export function toMapping(m: AccountMapping): Static<typeof MappingSchema> {
  return { role: m.role, ...m.dimension, accountCode: m.accountCode };
}

/** A mapping as sent: its dimension fields apart. */
export function mappingOf(body: Static<typeof MappingSchema>): AccountMapping {
  const { role, accountCode, ...dimension } = body;
  return { role, accountCode, dimension };
}

const period = (p: { from?: string | undefined; to?: string | undefined }) => ({
  from: p.from ?? null,
  to: p.to ?? null,
});

export function toTrialBalance(t: TrialBalance): Static<typeof TrialBalanceSchema> {
  return { ...t, period: period(t.period) };
}

export function toJournalLine(l: JournalRow): Static<typeof JournalLineSchema> {
  return {
    entryId: l.entryId,
    lineId: l.lineId,
    date: l.date,
    kind: l.kind,
    accountCode: l.accountCode,
    accountName: l.accountName,
    accountType: l.accountType,
    currency: l.currency,
    debit: decimalAmount(l.debit, l.currency),
    credit: decimalAmount(l.credit, l.currency),
    debitMinor: l.debit,
    creditMinor: l.credit,
    customerId: l.customerId,
    invoiceId: l.invoiceId,
    paymentId: l.paymentId,
    creditNoteId: l.creditNoteId,
    documentNumber: l.documentNumber,
    planCode: l.planCode,
    origin: l.origin,
    taxJurisdiction: l.taxJurisdiction,
    taxRate: l.taxRate,
    paymentMethod: l.paymentMethod,
    description: l.description,
    memo: l.memo,
  };
}

export function toStatement(s: AccountStatement): Static<typeof StatementSchema> {
  return {
    account: toAccount(s.account),
    currency: s.currency,
    customerId: s.customerId ?? null,
    period: period(s.period),
    opening: s.opening,
    lines: s.lines.map((l) => ({ ...toJournalLine(l), balance: l.balance })),
    closing: s.closing,
  };
}

export function toJournal(
  query: { from?: string | undefined; to?: string | undefined; currency?: string | undefined },
  lines: JournalRow[],
): Static<typeof JournalSchema> {
  return {
    period: period(query),
    currency: query.currency ?? null,
    data: lines.map(toJournalLine),
  };
}
