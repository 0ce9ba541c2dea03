// The real node-quickbooks SDK against a local server that answers like QuickBooks Online's v3
// API: what goes over the wire (paths, requestid, Bearer token, JSON bodies with decimal
// amounts), how an object already in QuickBooks is found rather than created twice, and how each
// kind of answer becomes an AccountingSyncError.
import quickbooksModule from 'node-quickbooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccountingSyncError, type AccountingInvoice } from '../../accounting/port.ts';
import { createQuickBooksSystem, type QuickBooksOptions } from '../../accounting/quickbooks.ts';
import { toAmount, toMinorUnits } from '../../accounting/quickbooks-wire.ts';
import { quickbooksFromEnv } from '../../config/accounting.ts';
import { startQuickBooksServer, type QuickBooksServer } from '../support/quickbooks-server.ts';

let qbo: QuickBooksServer;
let options: QuickBooksOptions;

beforeAll(async () => {
  qbo = await startQuickBooksServer();
  options = {
    realmId: qbo.realmId,
    accessToken: 'qbo-access-token',
    baseUrl: qbo.baseUrl,
    tokenUrl: qbo.tokenUrl,
    itemRefs: { default: '1', subscription: '21', project: '33' },
    taxCodeRefs: { standard: 'TAX' },
  };
});
afterEach(() => {
  qbo.requests.length = 0;
});
afterAll(() => qbo.close());

const customer = {
  id: 'cus_a1',
  name: 'Acme GmbH',
  email: 'ap@acme.example',
  currency: 'EUR',
  country: 'DE',
};

const invoice = (over: Partial<AccountingInvoice> = {}): AccountingInvoice => ({
  id: 'inv_a1',
  number: 'INV-2026-000001',
  customerId: customer.id,
  currency: 'EUR',
  issuedOn: '2026-12-01',
  dueOn: '2026-12-31',
  lines: [
    {
      description: 'Pro, December',
      quantity: '1',
      netAmount: 4900,
      revenueKind: 'subscription',
      taxCategory: 'standard',
    },
    {
      description: 'Setup',
      quantity: '2',
      netAmount: 1999,
      revenueKind: 'manual',
      taxCategory: 'exempt',
    },
  ],
  tax: 980,
  total: 7879,
  ...over,
});

async function failure(promise: Promise<unknown>): Promise<AccountingSyncError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AccountingSyncError);
  return error as AccountingSyncError;
}

describe('QuickBooks adapter', () => {
  it('converts minor units to QuickBooks decimals and back, exactly, per currency', () => {
    expect(toAmount(4900, 'EUR')).toBe(49);
    expect(toAmount(7879, 'EUR')).toBe(78.79);
    expect(toAmount(4900, 'JPY')).toBe(4900);
    expect(toAmount(1505, 'BHD')).toBe(1.505);
    expect(toMinorUnits(78.79, 'EUR')).toBe(7879);
    expect(() => toMinorUnits(0.1 + 0.2, 'EUR')).toThrow(/not exact/);
    expect(toMinorUnits(1.505, 'BHD')).toBe(1505);
  });

  it('creates the customer, then the invoice against it, with decimals, refs and a requestid', async () => {
    const system = createQuickBooksSystem(options);
    const c = await system.upsertCustomer(customer, {});
    const i = await system.upsertInvoice(invoice(), { customer: c.externalId });

    expect(i.amount).toBe(7879);
    const creates = qbo.creates();
    expect(creates.map((r) => r.path)).toEqual(['/customer', '/invoice']);
    expect(creates[0]!.authorization).toBe('Bearer qbo-access-token');
    expect(creates[0]!.query.get('requestid')).toBe('billwright-customer-cus_a1');
    expect(creates[0]!.query.get('minorversion')).toBe('75');
    expect(creates[0]!.body).toMatchObject({
      DisplayName: 'Acme GmbH (cus_a1)',
      CompanyName: 'Acme GmbH',
      PrimaryEmailAddr: { Address: 'ap@acme.example' },
      CurrencyRef: { value: 'EUR' },
    });
    expect(creates[1]!.body).toEqual({
      DocNumber: 'INV-2026-000001',
      TxnDate: '2026-12-01',
      DueDate: '2026-12-31',
      CustomerRef: { value: c.externalId },
      CurrencyRef: { value: 'EUR' },
      GlobalTaxCalculation: 'TaxExcluded',
      Line: [
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 49,
          Description: 'Pro, December',
          SalesItemLineDetail: { ItemRef: { value: '21' }, Qty: 1, TaxCodeRef: { value: 'TAX' } },
        },
        {
          DetailType: 'SalesItemLineDetail',
          Amount: 19.99,
          Description: 'Setup',
          SalesItemLineDetail: { ItemRef: { value: '1' }, Qty: 2 },
        },
      ],
      TxnTaxDetail: { TotalTax: 9.8 },
      PrivateNote: 'Billwright invoice inv_a1',
    });
    const [held] = qbo.held('Invoice');
    expect(held).toMatchObject({ Id: i.externalId, TotalAmt: 78.79, SyncToken: '0' });
  });

  it('finds what QuickBooks already holds by its reference instead of creating it twice', async () => {
    // As after a crash between QuickBooks' answer and saving its id.
    const system = createQuickBooksSystem(options);
    const c = await system.upsertCustomer(customer, {});
    const i = await system.upsertInvoice(invoice(), { customer: c.externalId });
    expect(qbo.creates()).toHaveLength(0);
    expect(qbo.held('Invoice')).toHaveLength(1);
    expect(i.externalId).toBe(qbo.held('Invoice')[0]!.Id);
    // Found, it is updated to what Billwright holds, at its SyncToken.
    const update = qbo.requests.find((r) => r.operation === 'update' && r.entity === 'Invoice');
    expect(update!.body).toMatchObject({ Id: i.externalId, SyncToken: '0', sparse: true });
  });

  it('updates a known object at its current SyncToken', async () => {
    const system = createQuickBooksSystem(options);
    const [held] = qbo.held('Customer');
    await system.upsertCustomer(
      { ...customer, email: 'finance@acme.example' },
      {
        existing: held!.Id,
      },
    );
    const kinds = qbo.requests.map((r) => `${r.operation} ${r.path}`);
    expect(kinds).toEqual([`read /customer/${held!.Id}`, 'update /customer']);
    expect(qbo.held('Customer')[0]).toMatchObject({
      PrimaryEmailAddr: { Address: 'finance@acme.example' },
      SyncToken: String(Number(held!.SyncToken) + 1),
    });
  });

  it('links a payment to its invoice and finds it again by its note', async () => {
    const system = createQuickBooksSystem(options);
    const [c] = qbo.held('Customer');
    const [i] = qbo.held('Invoice');
    const payment = {
      id: 'pay_a1',
      invoiceId: 'inv_a1',
      customerId: customer.id,
      currency: 'EUR',
      amount: 5000,
      appliedAmount: 5000,
      paidOn: '2026-12-05',
      method: 'Visa ending 4242',
      reference: 'ch_3PqR8sLkdIwHu7ix0abcdefgh',
    };
    const refs = { customer: c!.Id, invoice: i!.Id };
    const first = await system.upsertPayment(payment, refs);
    const again = await system.upsertPayment(payment, refs);
    expect(again.externalId).toBe(first.externalId);
    expect(first.amount).toBe(5000);
    expect(qbo.creates()).toHaveLength(1);
    expect(qbo.creates()[0]!.body).toMatchObject({
      TotalAmt: 50,
      PaymentRefNum: 'ch_3PqR8sLkdIwHu7ix0a', // 21 characters kept
      Line: [{ Amount: 50, LinkedTxn: [{ TxnId: i!.Id, TxnType: 'Invoice' }] }],
    });
  });

  it('reads back the documents dated in a period, in minor units', async () => {
    const system = createQuickBooksSystem(options);
    const held = await system.heldDocuments('invoice', { from: '2026-12-01', to: '2027-01-01' });
    expect(held).toEqual([
      {
        kind: 'invoice',
        externalId: qbo.held('Invoice')[0]!.Id,
        reference: 'INV-2026-000001',
        currency: 'EUR',
        amount: 7879,
        date: '2026-12-01',
      },
    ]);
    expect(await system.heldDocuments('invoice', { from: '2027-01-01', to: '2027-02-01' })).toEqual(
      [],
    );
  });

  it('turns a 500 into a retryable error and a refused request into a final one', async () => {
    const system = createQuickBooksSystem(options);
    qbo.failNext(500);
    const outage = await failure(system.upsertCustomer({ ...customer, id: 'cus_b2' }, {}));
    expect(outage).toMatchObject({ retryable: true, statusCode: 500, provider: 'quickbooks' });

    const gone = await failure(system.upsertCustomer(customer, { existing: '999' }));
    expect(gone).toMatchObject({ retryable: false, statusCode: 400, code: '610' });
    expect(gone.message).toBe('QuickBooks 400: Object Not Found: Object Not Found');
  });

  it('refreshes an expired access token once and asks again', async () => {
    const system = createQuickBooksSystem({
      ...options,
      accessToken: 'expired',
      refreshToken: 'qbo-refresh-0',
      clientId: 'client',
      clientSecret: 'secret',
    });
    await system.upsertCustomer({ ...customer, id: 'cus_e5', name: 'Fresh' }, {});
    const kinds = qbo.requests.map((r) => r.operation);
    expect(kinds).toEqual(['query', 'token', 'query', 'create']);
    expect(qbo.requests.at(-1)!.authorization).toMatch(/^Bearer qbo-refreshed-/);
  });

  it('keeps an expired token without refresh credentials retryable', async () => {
    const system = createQuickBooksSystem({ ...options, accessToken: 'expired' });
    const error = await failure(system.upsertCustomer(customer, {}));
    expect(error).toMatchObject({ retryable: true, statusCode: 401, code: '3200' });
  });

  it('treats a refused connection as retryable, and leaves the SDK’s module-level base URL alone', async () => {
    const before = (quickbooksModule as unknown as { V3_ENDPOINT_BASE_URL: string })
      .V3_ENDPOINT_BASE_URL;
    const system = createQuickBooksSystem({ ...options, baseUrl: 'http://127.0.0.1:9/v3/company' });
    const error = await failure(system.upsertCustomer(customer, {}));
    expect(error.retryable).toBe(true);
    expect(error.statusCode).toBeUndefined();
    expect(
      (quickbooksModule as unknown as { V3_ENDPOINT_BASE_URL: string }).V3_ENDPOINT_BASE_URL,
    ).toBe(before);
  });
});

describe('quickbooksFromEnv', () => {
  it('is off without a realm, and refuses a realm without a token or item', () => {
    expect(quickbooksFromEnv({})).toBeUndefined();
    expect(() => quickbooksFromEnv({ QUICKBOOKS_REALM_ID: '1' })).toThrow(
      /QUICKBOOKS_ACCESS_TOKEN/,
    );
    expect(() =>
      quickbooksFromEnv({
        QUICKBOOKS_REALM_ID: '1',
        QUICKBOOKS_ACCESS_TOKEN: 't',
        QUICKBOOKS_ITEM_REF: '1',
        QUICKBOOKS_ITEM_REFS: '{"usage":"2"}',
      }),
    ).toThrow(/"usage" is not one of subscription, manual, project/);
  });

  it('reads the realm, tokens, base URL and refs', () => {
    expect(
      quickbooksFromEnv({
        QUICKBOOKS_REALM_ID: '9130',
        QUICKBOOKS_ACCESS_TOKEN: 'at',
        QUICKBOOKS_REFRESH_TOKEN: 'rt',
        QUICKBOOKS_CLIENT_ID: 'id',
        QUICKBOOKS_CLIENT_SECRET: 'secret',
        QUICKBOOKS_BASE_URL: 'https://sandbox-quickbooks.api.intuit.com/v3/company/',
        QUICKBOOKS_ITEM_REF: '1',
        QUICKBOOKS_ITEM_REFS: '{"project":"7"}',
        QUICKBOOKS_TAX_CODE_REFS: '{"standard":"TAX","exempt":"NON"}',
        QUICKBOOKS_DEPOSIT_ACCOUNT_REF: '35',
      }),
    ).toEqual({
      realmId: '9130',
      accessToken: 'at',
      refreshToken: 'rt',
      clientId: 'id',
      clientSecret: 'secret',
      baseUrl: 'https://sandbox-quickbooks.api.intuit.com/v3/company/',
      tokenUrl: undefined,
      itemRefs: { project: '7', default: '1' },
      taxCodeRefs: { standard: 'TAX', exempt: 'NON' },
      depositAccountRef: '35',
    });
  });
});
