// The ledger's pure rules with worked examples: what each event posts, how a line finds its
// account, which mappings are refused, and the export's columns and CSV.
import { describe, expect, it } from 'vitest';
import {
  checkMappings,
  DEFAULT_ACCOUNTS,
  DEFAULT_MAPPINGS,
  dimensionKey,
  dimensionOf,
  resolveAccount,
} from '../../domain/ledger/accounts.ts';
import {
  csvField,
  decimalAmount,
  journalCsv,
  withRunningBalance,
} from '../../domain/ledger/export.ts';
import {
  assertBalanced,
  creditNoteLines,
  invoiceFinalizedLines,
  paymentLines,
  writeOffLines,
  type PostingLine,
} from '../../domain/ledger/postings.ts';

const sides = (lines: PostingLine[]) => lines.map((l) => [l.role, l.debit, l.credit]);

describe('postings', () => {
  it('an invoice: AR the total, revenue per line net of discount, tax per rate', () => {
    const lines = invoiceFinalizedLines({
      total: 10_800,
      taxBehavior: 'exclusive',
      planCode: 'pro',
      origin: 'subscription',
      lines: [
        {
          description: 'Pro',
          amount: 6_000,
          discount: 1_000,
          tax: 1_000,
          jurisdiction: 'FR',
          taxRate: '20',
        },
        {
          description: 'Seats',
          amount: 4_000,
          discount: 0,
          tax: 800,
          jurisdiction: 'FR',
          taxRate: '20',
        },
      ],
    });
    expect(sides(lines)).toEqual([
      ['accounts_receivable', 10_800, 0],
      ['revenue', 0, 5_000],
      ['revenue', 0, 4_000],
      ['tax_payable', 0, 1_800],
    ]);
  });

  it('prices that include tax: revenue is the line less its tax', () => {
    const lines = invoiceFinalizedLines({
      total: 1_200,
      taxBehavior: 'inclusive',
      lines: [
        {
          description: 'Book',
          amount: 1_200,
          discount: 0,
          tax: 200,
          jurisdiction: 'DE',
          taxRate: '7',
        },
      ],
    });
    expect(sides(lines)).toEqual([
      ['accounts_receivable', 1_200, 0],
      ['revenue', 0, 1_000],
      ['tax_payable', 0, 200],
    ]);
    expect(invoiceFinalizedLines({ total: 0, taxBehavior: 'exclusive', lines: [] })).toEqual([]);
  });

  it('an overpayment: cash the amount, AR what was due, customer credit the rest', () => {
    const lines = paymentLines({
      amount: 7_000,
      method: 'card',
      fromCustomerCredit: false,
      before: { status: 'open', due: 5_880 },
      after: { status: 'paid', due: 0 },
    });
    expect(sides(lines)).toEqual([
      ['cash', 7_000, 0],
      ['accounts_receivable', 0, 5_880],
      ['customer_credit', 0, 1_120],
    ]);
  });

  it('a partial payment after a write-off recovers bad debt and puts the rest back into AR', () => {
    const lines = paymentLines({
      amount: 2_000,
      method: 'bank_transfer',
      fromCustomerCredit: false,
      before: { status: 'uncollectible', due: 5_000 },
      after: { status: 'partially_paid', due: 3_000 },
    });
    expect(sides(lines)).toEqual([
      ['cash', 2_000, 0],
      ['accounts_receivable', 3_000, 0],
      ['bad_debt', 0, 5_000],
    ]);
    expect(
      sides(
        writeOffLines(
          { status: 'partially_paid', due: 3_000 },
          { status: 'uncollectible', due: 3_000 },
        ),
      ),
    ).toEqual([
      ['accounts_receivable', 0, 3_000],
      ['bad_debt', 3_000, 0],
    ]);
  });

  it('a refund on a paid invoice: revenue and tax back, the money to refunds clearing', () => {
    const lines = creditNoteLines({
      lines: [{ description: 'Pro', amount: 1_200, tax: 200, jurisdiction: 'FR', taxRate: '20' }],
      before: { status: 'paid', due: 0 },
      after: { status: 'paid', due: 0 },
      excessTo: 'refunds_clearing',
    });
    expect(sides(lines)).toEqual([
      ['revenue', 1_000, 0],
      ['tax_payable', 200, 0],
      ['refunds_clearing', 0, 1_200],
    ]);
  });

  it('a credit on a partly paid invoice: AR what it takes off, customer credit the paid rest', () => {
    const lines = creditNoteLines({
      lines: [{ description: 'Pro', amount: 6_000, tax: 1_000, jurisdiction: 'FR', taxRate: '20' }],
      before: { status: 'partially_paid', due: 4_000 },
      after: { status: 'paid', due: 0 },
      excessTo: 'customer_credit',
    });
    expect(sides(lines)).toEqual([
      ['revenue', 5_000, 0],
      ['tax_payable', 1_000, 0],
      ['accounts_receivable', 0, 4_000],
      ['customer_credit', 0, 2_000],
    ]);
  });

  it('refuses lines that do not balance, or one line alone', () => {
    expect(() => assertBalanced([{ role: 'cash', debit: 1, credit: 0 }])).toThrow(/two lines/);
    expect(() =>
      assertBalanced([
        { role: 'cash', debit: 2, credit: 0 },
        { role: 'revenue', debit: 0, credit: 1 },
      ]),
    ).toThrow(/does not balance by 1/);
    expect(() =>
      assertBalanced([
        { role: 'cash', debit: 1, credit: 1 },
        { role: 'revenue', debit: 0, credit: 0 },
      ]),
    ).toThrow(/not one side/);
  });
});

describe('mappings', () => {
  const codes = new Set([...DEFAULT_ACCOUNTS.map((a) => a.code), '4010', '2110', '1010']);
  const table = (extra: { role: string; key: string; code: string }[]) =>
    new Map([
      ...DEFAULT_MAPPINGS.map(
        (m) => [`${m.role}/${dimensionKey(m.dimension)}`, m.accountCode] as const,
      ),
      ...extra.map((e) => [`${e.role}/${e.key}`, e.code] as const),
    ]);

  it('a line takes the most specific mapping, else the default', () => {
    const mappings = table([
      { role: 'revenue', key: 'plan:pro', code: '4010' },
      { role: 'tax_payable', key: 'jurisdiction:FR|rate:20', code: '2110' },
      { role: 'cash', key: 'method:card', code: '1010' },
    ]);
    expect(resolveAccount(mappings, 'revenue', { planCode: 'pro', origin: 'subscription' })).toBe(
      '4010',
    );
    expect(resolveAccount(mappings, 'revenue', { planCode: 'basic', origin: 'subscription' })).toBe(
      '4000',
    );
    expect(resolveAccount(mappings, 'tax_payable', { jurisdiction: 'FR', taxRate: '20.0' })).toBe(
      '2110',
    );
    expect(resolveAccount(mappings, 'tax_payable', { jurisdiction: 'DE', taxRate: '19' })).toBe(
      '2100',
    );
    expect(resolveAccount(mappings, 'cash', { method: 'card' })).toBe('1010');
    expect(resolveAccount(mappings, 'cash', { method: 'cheque' })).toBe('1000');
  });

  it('keys read back as the dimension they were made of', () => {
    for (const d of [
      {},
      { planCode: 'pro' },
      { origin: 'project' as const },
      { jurisdiction: 'US-CA', taxRate: '7.25' },
      { method: 'a:b' },
    ]) {
      expect(dimensionOf(dimensionKey(d))).toEqual(d);
    }
  });

  it('refuses a stray dimension, an unknown account, a duplicate, a role without its default', () => {
    expect(checkMappings(DEFAULT_MAPPINGS, codes)).toEqual([]);
    const issues = checkMappings(
      [
        ...DEFAULT_MAPPINGS.filter((m) => m.role !== 'bad_debt'),
        { role: 'cash', dimension: { planCode: 'pro' }, accountCode: '1000' },
        { role: 'revenue', dimension: { planCode: 'pro' }, accountCode: '9999' },
        { role: 'revenue', dimension: { planCode: 'pro' }, accountCode: '4010' },
        { role: 'tax_payable', dimension: { taxRate: '20' }, accountCode: '2110' },
      ],
      codes,
    );
    expect(issues.map((i) => i.field)).toEqual([
      'mappings[7].planCode',
      'mappings[8].accountCode',
      'mappings[9]',
      'mappings[10].taxRate',
      'mappings',
    ]);
  });
});

describe('export', () => {
  it('amounts are exact decimals of each currency’s major unit', () => {
    expect(decimalAmount(5_880, 'EUR')).toBe('58.80');
    expect(decimalAmount(4_900, 'JPY')).toBe('4900');
    expect(decimalAmount(1_500, 'BHD')).toBe('1.500');
    expect(decimalAmount(5, 'EUR')).toBe('0.05');
  });

  it('quotes what CSV needs quoted, and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('one header row, then one row per line', () => {
    const csv = journalCsv([
      {
        entryId: 'je_1',
        lineId: 7,
        date: '2027-01-15',
        kind: 'invoice_finalized',
        accountCode: '1100',
        accountName: 'Accounts receivable',
        accountType: 'asset',
        currency: 'EUR',
        debit: 5_880,
        credit: 0,
        customerId: 'cus_1',
        invoiceId: 'inv_1',
        paymentId: null,
        creditNoteId: null,
        documentNumber: 'INV-1',
        planCode: null,
        origin: null,
        taxJurisdiction: null,
        taxRate: null,
        paymentMethod: null,
        description: 'Invoice INV-1 issued',
        memo: null,
      },
    ]);
    expect(csv.split('\r\n')[1]).toBe(
      'je_1,7,2027-01-15,invoice_finalized,1100,Accounts receivable,asset,EUR,58.80,0.00,5880,0,cus_1,inv_1,,,INV-1,,,,,,Invoice INV-1 issued,',
    );
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('a statement’s running balance', () => {
    expect(
      withRunningBalance(100, [
        { debit: 50, credit: 0 },
        { debit: 0, credit: 150 },
      ]).map((l) => l.balance),
    ).toEqual([150, 0]);
  });
});
