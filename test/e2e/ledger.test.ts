// The ledger end to end, as `npm start` runs it, on a test clock: a subscription's invoice, an
// overpayment, a refund by credit note, a mapping changed before the next renewal, and the credit
// the renewal consumes; the trial balance, an account's statement and the journal export
// reconcile with the documents to the minor unit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type ApiClient, type TestPlatform } from '../support/platform.ts';
import { eventually } from '../support/temporal.ts';

let started: TestPlatform;
let api: ApiClient;

beforeAll(async () => {
  started = await startTestPlatform();
  ({ api } = started);
});

afterAll(async () => {
  await started?.stop();
});

interface Amount {
  amount: number;
}
interface InvoiceView {
  id: string;
  number: string;
  status: string;
  subtotal: Amount;
  tax: Amount;
  total: Amount;
  amountDue: Amount;
  issuedAt: string;
}
interface JournalLine {
  entryId: string;
  lineId: number;
  date: string;
  kind: string;
  accountCode: string;
  debit: string;
  credit: string;
  debitMinor: number;
  creditMinor: number;
  documentNumber: string | null;
  invoiceId: string | null;
  planCode: string | null;
  balance?: number;
}

describe('the ledger through the API on a test clock', () => {
  it('posts every document as it happens, and reports and exports what the documents say', async () => {
    const clock = await api('POST', '/v1/test-clocks', { frozenTime: '2027-01-15T10:00:00Z' });
    const clockId: string = clock.body.id;
    const customer = await api('POST', '/v1/customers', {
      name: 'Ledger SARL',
      email: 'compta@ledger.test',
      currency: 'EUR',
      country: 'FR',
      timezone: 'Europe/Paris',
      locale: 'fr-FR',
      testClockId: clockId,
    });
    const customerId: string = customer.body.id;
    expect(
      await api('POST', '/v1/plans', {
        code: 'ledger-pro',
        name: 'Pro',
        currency: 'EUR',
        interval: 'month',
        amount: 4_900,
      }),
    ).toMatchObject({ status: 201 });
    expect(
      (await api('POST', '/v1/subscriptions', { customerId, planCode: 'ledger-pro' })).status,
    ).toBe(201);
    const invoicesOf = async () =>
      (
        (await api('GET', `/v1/invoices?customerId=${customerId}&limit=100`)).body
          .data as InvoiceView[]
      ).sort((a, b) => a.issuedAt.localeCompare(b.issuedAt));
    const [first] = await eventually('the first invoice', async () => {
      const found = await invoicesOf();
      return found.length === 1 && found;
    });
    expect(first).toMatchObject({ subtotal: { amount: 4900 }, tax: { amount: 980 } });

    // Overpaid by 10.00 (the customer's credit), then 11.80 refunded by a credit note.
    const paid = await api('POST', `/v1/invoices/${first!.id}/payments`, {
      amount: 6_880,
      method: 'card',
      reference: 'ch_ledger_1',
    });
    expect(paid.status).toBe(201);
    const note = await api('POST', `/v1/invoices/${first!.id}/credit-notes`, {
      reason: 'refund',
      amount: 1_180,
    });
    expect(note.status).toBe(201);

    // From now on the Pro plan's revenue goes to its own account; what is posted stays put.
    expect(
      await api('POST', '/v1/ledger/accounts', {
        code: '4010',
        name: 'Revenue: Pro plan',
        type: 'revenue',
      }),
    ).toMatchObject({ status: 201 });
    const mappings = (await api('GET', '/v1/ledger/mappings')).body.data as unknown[];
    const replaced = await api('PUT', '/v1/ledger/mappings', {
      mappings: [...mappings, { role: 'revenue', planCode: 'ledger-pro', accountCode: '4010' }],
    });
    expect(replaced.status).toBe(200);
    const refused = await api('PUT', '/v1/ledger/mappings', {
      mappings: [{ role: 'cash', planCode: 'ledger-pro', accountCode: '9999' }],
    });
    expect(refused.status).toBe(422);
    const errors = refused.body.errors as { field: string }[];
    expect(errors.map((e) => e.field)).toEqual(
      expect.arrayContaining(['mappings[0].planCode', 'mappings[0].accountCode', 'mappings']),
    );

    // The renewal: posted to 4010, and the customer's 10.00 credit taken off it.
    await api('POST', `/v1/test-clocks/${clockId}/advance`, { frozenTime: '2027-02-15T10:00:00Z' });
    await eventually(
      'the clock to be ready',
      async () => (await api('GET', `/v1/test-clocks/${clockId}`)).body.status === 'ready',
      60_000,
    );
    const [one, two] = await eventually('the renewal with the credit taken', async () => {
      const found = await invoicesOf();
      return found.length === 2 && found[1]!.amountDue.amount === found[1]!.total.amount - 1000
        ? found
        : false;
    });
    const creditNote = note.body as { number: string; subtotal: Amount; tax: Amount };

    // The trial balance: each account what the documents say, and the whole nets to zero.
    const trial = await api(
      'GET',
      '/v1/ledger/trial-balance?currency=EUR&from=2027-01-01&to=2027-02-28',
    );
    expect(trial.status).toBe(200);
    const closing = Object.fromEntries(
      (trial.body.accounts as { code: string; closing: number }[]).map((a) => [a.code, a.closing]),
    );
    expect(closing).toEqual({
      '1000': 6880, // cash received
      '1100': one!.amountDue.amount + two!.amountDue.amount, // AR: what is still due
      '2100': -(one!.tax.amount + two!.tax.amount - creditNote.tax.amount),
      '2200': 0, // the 10.00 overpaid, then used by the renewal
      '2300': -1180, // refunded: the first invoice was paid in full
      '4000': -(one!.subtotal.amount - creditNote.subtotal.amount),
      '4010': -two!.subtotal.amount,
    });
    expect(trial.body.totals).toMatchObject({ opening: 0, closing: 0 });
    expect(trial.body.totals.debit).toBe(trial.body.totals.credit);
    const january = await api(
      'GET',
      '/v1/ledger/trial-balance?currency=EUR&from=2027-02-01&to=2027-02-28',
    );
    const ar = (january.body.accounts as { code: string; opening: number }[]).find(
      (a) => a.code === '1100',
    );
    expect(ar?.opening).toBe(0); // January's invoice was settled in January
    expect(
      (await api('GET', '/v1/ledger/trial-balance?currency=EUR&from=2027-03-01&to=2027-02-01'))
        .status,
    ).toBe(422);

    // AR's statement for the customer: one line per event, with the running balance.
    const statement = await api(
      'GET',
      `/v1/ledger/accounts/1100/statement?currency=EUR&customerId=${customerId}`,
    );
    expect(statement.status).toBe(200);
    const arLines = statement.body.lines as JournalLine[];
    expect(arLines.map((l) => [l.kind, l.debitMinor, l.creditMinor, l.balance])).toEqual([
      ['invoice_finalized', one!.total.amount, 0, one!.total.amount],
      ['payment_received', 0, one!.total.amount, 0],
      ['invoice_finalized', two!.total.amount, 0, two!.total.amount],
      ['customer_credit_applied', 0, 1000, two!.amountDue.amount],
    ]);
    expect(statement.body.closing).toBe(two!.amountDue.amount);
    expect((await api('GET', '/v1/ledger/accounts/nope/statement?currency=EUR')).status).toBe(404);

    // The export: JSON and CSV alike, the same bytes twice, debits equal to credits.
    const json = await api('GET', '/v1/ledger/journal?from=2027-01-01&to=2027-02-28');
    expect(json.status).toBe(200);
    const lines = json.body.data as JournalLine[];
    expect(lines.reduce((t, l) => t + l.debitMinor - l.creditMinor, 0)).toBe(0);
    const revenueLines = lines.filter((l) => l.accountCode.startsWith('40'));
    expect(revenueLines.map((l) => [l.accountCode, l.documentNumber, l.planCode])).toEqual([
      ['4000', one!.number, 'ledger-pro'],
      ['4000', creditNote.number, 'ledger-pro'],
      ['4010', two!.number, 'ledger-pro'],
    ]);
    const csv = await api('GET', '/v1/ledger/journal?from=2027-01-01&to=2027-02-28&format=csv');
    expect(csv.status).toBe(200);
    const again = await api('GET', '/v1/ledger/journal?from=2027-01-01&to=2027-02-28&format=csv');
    expect(again.body).toBe(csv.body);
    const rows = (csv.body as string).trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'entry_id,line_id,date,kind,account_code,account_name,account_type,currency,debit,credit,' +
        'debit_minor,credit_minor,customer_id,invoice_id,payment_id,credit_note_id,' +
        'document_number,plan_code,origin,tax_jurisdiction,tax_rate,payment_method,description,memo',
    );
    expect(rows).toHaveLength(lines.length + 1);
    const firstRow = rows[1]!.split(',');
    expect(firstRow.slice(0, 13)).toEqual([
      lines[0]!.entryId,
      String(lines[0]!.lineId),
      '2027-01-15',
      'invoice_finalized',
      '1100',
      'Accounts receivable',
      'asset',
      'EUR',
      '58.80',
      '0.00',
      '5880',
      '0',
      customerId,
    ]);

    // Deleting the clock deletes its simulated books with it.
    expect((await api('DELETE', `/v1/test-clocks/${clockId}`)).status).toBe(200);
    const after = await api('GET', '/v1/ledger/journal?from=2027-01-01&to=2027-02-28');
    expect(after.body.data).toEqual([]);
  });
});
