// The registers reconcile with the documents to the minor unit. Through the public API, for
// customers on a test clock (EUR in Paris, JPY in Tokyo): invoices finalized, a partial payment,
// a refund credit note, a void; each register's columns sum to what the API says of the same
// invoices, credit notes and payments. A document is in the register of its own date (the
// customer's calendar date), re-exports are byte-identical, and a customer's name or a memo
// that a spreadsheet would run as a formula reaches it as text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTER_HEADERS } from '../../api/schemas/registers.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { clockedApi, type ClockedApi } from '../support/clocked-api.ts';
import { recordingTemporal } from '../support/recording-temporal.ts';

const T0 = '2027-03-10T10:00:00.000Z'; // three EUR invoices and one JPY invoice
const T1 = '2027-03-12T09:30:00.000Z'; // a partial payment, a refund
const T2 = '2027-03-31T22:30:00.000Z'; // 1 April in Paris (00:30), 31 March in UTC: an invoice
const T3 = '2027-04-02T08:15:00.000Z'; // a void

interface Money {
  amount: number;
  currency: string;
}
interface Invoice {
  id: string;
  number: string;
  status: string;
  subtotal: Money;
  discountTotal: Money;
  tax: Money;
  total: Money;
  amountPaid: Money;
  amountCredited: Money;
  amountDue: Money;
}
interface CreditNote {
  id: string;
  number: string;
  subtotal: Money;
  tax: Money;
  total: Money;
}
interface Payment {
  id: string;
  amount: Money;
}

/** RFC 4180, as a spreadsheet reads it: quoted fields, doubled quotes, CRLF line ends. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      [row, field] = [[], ''];
      i++;
    } else field += c;
  }
  expect(field, 'the last line ends with CRLF').toBe('');
  const [header, ...body] = rows;
  return body.map((cells) => {
    expect(cells).toHaveLength(header!.length);
    return Object.fromEntries(header!.map((name, i) => [name, cells[i]!]));
  });
}

const sumOf = (rows: Record<string, string>[], column: string) =>
  rows.reduce((t, r) => t + Number(r[column]), 0);

describe('registers through the API, on a test clock', () => {
  let api: ApiHarness;
  let clockId: string;
  let eur: string;
  let jpy: string;
  let call: ClockedApi['call'];
  const advanceTo = (instant: string) => clockedApi(api).advanceTo(clockId, instant);

  beforeAll(async () => {
    api = await createApiHarness({ temporal: recordingTemporal().client });
    call = clockedApi(api).call;
  });
  afterAll(async () => api?.close());

  async function csv(url: string): Promise<{ text: string; rows: Record<string, string>[] }> {
    const response = await api.request({ method: 'GET', url });
    expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="[\w.-]+\.csv"$/,
    );
    return { text: response.body, rows: parseCsv(response.body) };
  }

  async function invoiceFor(customerId: string, unitPrices: number[]): Promise<Invoice> {
    const lines = unitPrices.map((unitPrice, i) => ({
      description: `Work ${i}`,
      quantity: 1,
      unitPrice,
    }));
    const draft = await call<{ id: string }>('POST', '/v1/invoices', { customerId, lines }, 201);
    return call<Invoice>('POST', `/v1/invoices/${draft.id}/finalize`, {});
  }

  async function customer(payload: object): Promise<string> {
    return (
      await call<{ id: string }>(
        'POST',
        '/v1/customers',
        { email: 'ap@example.test', locale: 'en-GB', testClockId: clockId, ...payload },
        201,
      )
    ).id;
  }

  it('sums each register to the documents’ own totals, to the minor unit', async () => {
    clockId = await clockedApi(api).newClock(T0);
    eur = await customer({
      name: '=HYPERLINK("http://evil.test","Hooli"), SAS',
      currency: 'EUR',
      country: 'FR',
      timezone: 'Europe/Paris',
    });
    jpy = await customer({
      name: 'Kabushiki Kaisha',
      currency: 'JPY',
      country: 'JP',
      timezone: 'Asia/Tokyo',
    });

    const a = await invoiceFor(eur, [10_000, 2_345]);
    const b = await invoiceFor(eur, [7_777]);
    const c = await invoiceFor(eur, [1_001]);
    const y = await invoiceFor(jpy, [120_000]);

    await advanceTo(T1);
    const paid = await call<{ payment: Payment }>(
      'POST',
      `/v1/invoices/${a.id}/payments`,
      { amount: 4_000, method: 'bank transfer', reference: '+wire-1' },
      201,
    );
    const refund = await call<CreditNote>(
      'POST',
      `/v1/invoices/${b.id}/credit-notes`,
      { reason: 'refund', amount: 1_234, memo: '@SUM(A1:A9) goodwill, "sorry"' },
      201,
    );
    await call(
      'POST',
      `/v1/invoices/${y.id}/payments`,
      { amount: 50_000, method: 'card', reference: 'jp-1' },
      201,
    );

    await advanceTo(T2);
    const d = await invoiceFor(eur, [50_000]);

    await advanceTo(T3);
    const voided = await call<{ creditNote: CreditNote }>('POST', `/v1/invoices/${c.id}/void`, {});

    // What the API says of every document now.
    const invoices = await Promise.all(
      [a, b, c, d, y].map((i) => call<Invoice>('GET', `/v1/invoices/${i.id}`)),
    );
    const [aNow, bNow, cNow, dNow, yNow] = invoices;
    const creditNotes = (
      await Promise.all(
        [a, b, c].map((i) =>
          call<{ data: CreditNote[] }>('GET', `/v1/invoices/${i.id}/credit-notes`),
        ),
      )
    ).flatMap((page) => page.data);
    const payments = (
      await Promise.all(
        [a, y].map((i) => call<{ data: Payment[] }>('GET', `/v1/invoices/${i.id}/payments`)),
      )
    ).flatMap((page) => page.data);
    expect(creditNotes.map((n) => n.id).sort()).toEqual([refund.id, voided.creditNote.id].sort());

    // March in EUR: a, b, c (dated 10 March); not d, whose date in Paris is 1 April.
    const march = await csv('/v1/registers/invoices?from=2027-03-01&to=2027-03-31&currency=EUR');
    expect(march.text.split('\r\n')[0]).toBe(REGISTER_HEADERS.invoices.join(','));
    expect(march.rows.map((r) => r.number)).toEqual([a.number, b.number, c.number]);
    expect(march.rows.map((r) => r.status)).toEqual(['partially_paid', 'open', 'void']);
    const marchInvoices = [aNow!, bNow!, cNow!];
    const columns = {
      subtotal: (i: Invoice) => i.subtotal.amount,
      discount: (i: Invoice) => i.discountTotal.amount,
      tax: (i: Invoice) => i.tax.amount,
      total: (i: Invoice) => i.total.amount,
      amount_paid: (i: Invoice) => i.amountPaid.amount,
      amount_credited: (i: Invoice) => i.amountCredited.amount,
      amount_due: (i: Invoice) => i.amountDue.amount,
    };
    for (const [column, of] of Object.entries(columns)) {
      const expected = marchInvoices.reduce((t, i) => t + of(i), 0);
      expect(sumOf(march.rows, `${column}_minor`), column).toBe(expected);
      // The decimal column says the same amount in euros, exactly.
      for (const [k, row] of march.rows.entries()) {
        expect(row[column], `${column} of ${row.number}`).toBe(
          (of(marchInvoices[k]!) / 100).toFixed(2),
        );
      }
    }
    expect(march.rows[0]).toMatchObject({
      invoice_id: a.id,
      invoice_date: '2027-03-10',
      issued_at: T0,
      customer_id: eur,
      customer_name: '\'=HYPERLINK("http://evil.test","Hooli"), SAS',
      currency: 'EUR',
      amount_paid_minor: '4000',
    });
    // VAT 20 % in France on each invoice: the tax per rate says so, in euros.
    expect(march.rows.map((r) => r.tax_per_rate)).toEqual(
      marchInvoices.map(
        (i) =>
          `FR VAT 20% on ${(i.subtotal.amount / 100).toFixed(2)} = ${(i.tax.amount / 100).toFixed(2)}`,
      ),
    );
    // The raw cell: quoted, its quotes doubled, the apostrophe before the formula.
    expect(march.text).toContain('"\'=HYPERLINK(""http://evil.test"",""Hooli""), SAS"');

    // April in Paris holds d, issued 31 March at 22:30 UTC.
    const april = await csv('/v1/registers/invoices?from=2027-04-01&to=2027-04-30');
    expect(april.rows.map((r) => [r.number, r.invoice_date, r.issued_at])).toEqual([
      [d.number, '2027-04-01', T2],
    ]);
    expect(april.rows[0]!.total_minor).toBe(String(dNow!.total.amount));

    // Every currency at once, and JPY alone: yen have no decimals.
    const all = await csv('/v1/registers/invoices?from=2027-03-01&to=2027-03-31');
    expect(all.rows).toHaveLength(4);
    const yen = await csv('/v1/registers/invoices?from=2027-03-01&to=2027-03-31&currency=JPY');
    expect(yen.rows.map((r) => [r.number, r.total, r.total_minor, r.amount_paid])).toEqual([
      [y.number, String(yNow!.total.amount), String(yNow!.total.amount), '50000'],
    ]);

    // Credit notes: the refund (12 March) and the void's (2 April), totals as the API states them.
    const notes = await csv('/v1/registers/credit-notes?from=2027-03-01&to=2027-04-30');
    expect(notes.rows.map((r) => [r.number, r.reason, r.invoice_number])).toEqual([
      [refund.number, 'refund', b.number],
      [voided.creditNote.number, 'void', c.number],
    ]);
    for (const column of ['subtotal', 'tax', 'total'] as const) {
      expect(sumOf(notes.rows, `${column}_minor`), column).toBe(
        creditNotes.reduce((t, n) => t + n[column].amount, 0),
      );
    }
    expect(notes.rows[0]!.memo).toBe('\'@SUM(A1:A9) goodwill, "sorry"');
    // Credited on the invoices = the credit notes' totals.
    expect(sumOf(march.rows, 'amount_credited_minor')).toBe(sumOf(notes.rows, 'total_minor'));

    // Payments: EUR and JPY, each as the API recorded it.
    const received = await csv('/v1/registers/payments?from=2027-03-01&to=2027-04-30');
    expect(
      received.rows.map((r) => [r.payment_id, r.payment_date, r.currency, r.amount_minor]),
    ).toEqual([
      [paid.payment.id, '2027-03-12', 'EUR', '4000'],
      [payments.find((p) => p.amount.currency === 'JPY')!.id, '2027-03-12', 'JPY', '50000'],
    ]);
    expect(received.rows[0]).toMatchObject({
      amount: '40.00',
      reference: "'+wire-1",
      invoice_number: a.number,
    });
    const eurPaid = received.rows.filter((r) => r.currency === 'EUR');
    expect(sumOf(eurPaid, 'applied_minor')).toBe(sumOf(march.rows, 'amount_paid_minor'));
    expect(sumOf(received.rows, 'amount_minor')).toBe(
      payments.reduce((t, p) => t + p.amount.amount, 0),
    );

    // Exported again: the same bytes.
    const again = await csv('/v1/registers/invoices?from=2027-03-01&to=2027-03-31&currency=EUR');
    expect(again.text).toBe(march.text);
  });

  it('answers an empty period with the header alone', async () => {
    const empty = await csv('/v1/registers/payments?from=2020-01-01&to=2020-01-31');
    expect(empty.text).toBe(REGISTER_HEADERS.payments.join(',') + '\r\n');
  });

  it('refuses a period it cannot export, naming the field', async () => {
    const cases: [string, number, string][] = [
      ['from=2027-02-30&to=2027-03-31', 422, 'from'],
      ['from=2027-03-31&to=2027-03-01', 422, 'to'],
      ['from=2027-01-01&to=2028-01-02', 422, 'to'],
      ['from=2027-01-01&to=2027-01-31&currency=XXX', 422, 'currency'],
      ['from=2027-01&to=2027-01-31', 400, 'from'],
      ['to=2027-01-31', 400, 'from'],
    ];
    for (const [query, status, field] of cases) {
      const response = await api.request({ method: 'GET', url: `/v1/registers/invoices?${query}` });
      expect(response.statusCode, query).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json<{ errors: { field: string }[] }>().errors[0]!.field, query).toBe(field);
    }
  });
});
