// QuickBooks Online through node-quickbooks (2.x), the maintained Node client of Intuit's v3 REST
// API. What the SDK does, read from its source, and what this adapter does about it:
// - The endpoint base is a module-level static, QuickBooks.V3_ENDPOINT_BASE_URL, copied into the
//   instance's `endpoint` by the constructor (with "sandbox-" stripped unless useSandbox). Setting
//   the static would change every client in the process; we set the instance's `endpoint` after
//   construction instead, so a test server, a sandbox and production can live side by side.
// - Callbacks only, through its own axios with no timeout and no retry: each call is wrapped in a
//   promise bounded by `timeoutMs`; retrying is Temporal's job.
// - A create's `requestId` becomes QuickBooks' `requestid` query parameter, with which QuickBooks
//   answers a repeated request with the first answer instead of creating twice: every create
//   sends one derived from the Billwright object, and looks the object up by its reference first.
// - OAuth 2 access tokens last an hour: on a 401 the adapter refreshes once with the refresh token
//   (client id and secret) at `tokenUrl` and asks again. The SDK's own refreshAccessToken posts to
//   another module-level static (QuickBooks.TOKEN_URL), so the refresh is one fetch of ours.
import quickbooksModule, { type QuickBooks as QuickBooksClass } from 'node-quickbooks';
import {
  AccountingSyncError,
  type AccountingCreditNote,
  type AccountingCustomer,
  type AccountingInvoice,
  type AccountingLine,
  type AccountingPayment,
  type AccountingSystem,
  type Acknowledged,
  type DocumentKind,
  type HeldDocument,
  type RevenueKind,
} from './port.ts';
import {
  PROVIDER,
  statusOf,
  toAmount,
  toHeld,
  toMinorUnits,
  toSyncError,
  type Entity,
} from './quickbooks-wire.ts';

export const QUICKBOOKS_BASE_URL = 'https://quickbooks.api.intuit.com/v3/company/';
export const QUICKBOOKS_TOKEN_URL = 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer';

// The package is CommonJS (module.exports is the class) but its types declare an ES default
// export, so under NodeNext the default import types as the module: say what it is at runtime.
const QuickBooks = quickbooksModule as unknown as typeof QuickBooksClass;

export interface QuickBooksOptions {
  /** The company (realm) id. */
  realmId: string;
  accessToken: string;
  /** With clientId and clientSecret: refreshes an expired access token. */
  refreshToken?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  /** Up to and including "/v3/company/"; default production. */
  baseUrl?: string | undefined;
  tokenUrl?: string | undefined;
  /** The item (product/service) each revenue kind's lines are booked to; `default` for the rest. */
  itemRefs: Partial<Record<RevenueKind, string>> & { default: string };
  /** The tax code per Billwright tax category (non-US companies); unmapped: none sent. */
  taxCodeRefs?: Record<string, string> | undefined;
  /** The account payments are deposited to; default QuickBooks' Undeposited Funds. */
  depositAccountRef?: string | undefined;
  timeoutMs?: number | undefined;
}

type Callback = (err: unknown, data?: unknown) => void;
type QuickBooksClient = QuickBooksClass & Record<string, unknown>;

/** QuickBooks' entity name for each kind of document. */
const ENTITY: Record<DocumentKind, string> = {
  invoice: 'Invoice',
  credit_note: 'CreditMemo',
  payment: 'Payment',
};

export function createQuickBooksSystem(options: QuickBooksOptions): AccountingSystem {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const qbo = new QuickBooks(
    options.clientId ?? '',
    options.clientSecret ?? '',
    options.accessToken,
    false, // no OAuth 1 token secret
    options.realmId,
    false,
    false,
    null,
    '2.0',
    options.refreshToken ?? null,
  ) as QuickBooksClient;
  const base = options.baseUrl || QUICKBOOKS_BASE_URL;
  qbo.endpoint = base.endsWith('/') ? base : `${base}/`;

  /** One SDK method, promised and bounded; a 401 refreshes the token once and asks again. */
  async function call<T>(method: string, ...args: unknown[]): Promise<T> {
    try {
      return await once<T>(method, args);
    } catch (error) {
      if (statusOf(error) !== 401 || !canRefresh()) throw toSyncError(error);
      await refreshAccessToken();
      try {
        return await once<T>(method, args);
      } catch (again) {
        throw toSyncError(again);
      }
    }
  }

  function once<T>(method: string, args: unknown[]): Promise<T> {
    const fn = qbo[method] as (...a: unknown[]) => void;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`QuickBooks did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const done: Callback = (err, data) => {
        clearTimeout(timer);
        if (err) reject(err instanceof Error ? err : Object.assign(new Error('fault'), err));
        else resolve(data as T);
      };
      fn.call(qbo, ...args, done);
    });
  }

  function canRefresh(): boolean {
    return Boolean(options.refreshToken && options.clientId && options.clientSecret);
  }

  async function refreshAccessToken(): Promise<void> {
    const basic = Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64');
    let response: Response;
    try {
      response = await fetch(options.tokenUrl || QUICKBOOKS_TOKEN_URL, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${basic}`,
        },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: String(qbo.refreshToken),
        }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new AccountingSyncError(`QuickBooks token refresh failed: ${String(error)}`, {
        retryable: true,
        provider: PROVIDER,
        cause: error,
      });
    }
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      refresh_token?: string;
    };
    if (!response.ok || !body.access_token) {
      // A revoked refresh token is the operator's to fix: keep retrying until they do.
      throw new AccountingSyncError(`QuickBooks token refresh answered ${response.status}`, {
        retryable: true,
        provider: PROVIDER,
        statusCode: response.status,
      });
    }
    qbo.token = body.access_token;
    if (body.refresh_token) qbo.refreshToken = body.refresh_token;
  }

  /** The first entity a query finds, or undefined. */
  async function findOne(entity: string, where: string): Promise<Entity | undefined> {
    const found = await query(entity, where);
    return found[0];
  }

  async function query(entity: string, where: string): Promise<Entity[]> {
    const answer = await call<{ QueryResponse?: Record<string, unknown> }>(
      `find${pluralEntity(entity)}`,
      `where ${where}`,
    );
    return (answer.QueryResponse?.[entity] as Entity[] | undefined) ?? [];
  }

  /** Creates, or updates `existing` (sparse, at its current SyncToken). */
  async function upsert(
    entity: string,
    body: Entity,
    existing: Entity | string | undefined,
    requestId: string,
  ): Promise<Entity> {
    if (existing === undefined) {
      return call<Entity>(`create${entity}`, { ...body, requestId });
    }
    const current =
      typeof existing === 'string' ? await call<Entity>(`get${entity}`, existing) : existing;
    return call<Entity>(`update${entity}`, {
      ...body,
      Id: current.Id,
      SyncToken: current.SyncToken,
      sparse: true,
    });
  }

  const ack = (entity: Entity, currency?: string): Acknowledged => ({
    externalId: String(entity.Id),
    amount:
      currency === undefined || entity.TotalAmt === undefined
        ? undefined
        : toMinorUnits(entity.TotalAmt, currency),
  });

  function salesLines(lines: AccountingLine[], currency: string) {
    return lines.map((line) => ({
      DetailType: 'SalesItemLineDetail',
      Amount: toAmount(line.netAmount, currency),
      Description: line.description.slice(0, 4000),
      SalesItemLineDetail: {
        ItemRef: { value: options.itemRefs[line.revenueKind] ?? options.itemRefs.default },
        Qty: Number(line.quantity),
        ...(options.taxCodeRefs?.[line.taxCategory] && {
          TaxCodeRef: { value: options.taxCodeRefs[line.taxCategory] },
        }),
      },
    }));
  }

  return {
    provider: PROVIDER,

    async upsertCustomer(customer: AccountingCustomer, refs) {
      const displayName = customerDisplayName(customer);
      const body: Entity = {
        DisplayName: displayName,
        CompanyName: customer.name.slice(0, 100),
        PrimaryEmailAddr: { Address: customer.email },
        CurrencyRef: { value: customer.currency },
        BillAddr: { Country: customer.country },
        Notes: `Billwright customer ${customer.id}`,
      };
      const existing =
        refs.existing ?? (await findOne('Customer', `DisplayName = ${quote(displayName)}`));
      return ack(await upsert('Customer', body, existing, requestIdOf('customer', customer.id)));
    },

    async upsertInvoice(invoice: AccountingInvoice, refs) {
      const body: Entity = {
        DocNumber: invoice.number,
        TxnDate: invoice.issuedOn,
        ...(invoice.dueOn && { DueDate: invoice.dueOn }),
        CustomerRef: { value: refs.customer },
        CurrencyRef: { value: invoice.currency },
        GlobalTaxCalculation: 'TaxExcluded',
        Line: salesLines(invoice.lines, invoice.currency),
        TxnTaxDetail: { TotalTax: toAmount(invoice.tax, invoice.currency) },
        PrivateNote: `Billwright invoice ${invoice.id}`,
      };
      const existing =
        refs.existing ?? (await findOne('Invoice', `DocNumber = ${quote(invoice.number)}`));
      const saved = await upsert('Invoice', body, existing, requestIdOf('invoice', invoice.id));
      return ack(saved, invoice.currency);
    },

    async upsertCreditNote(note: AccountingCreditNote, refs) {
      const body: Entity = {
        DocNumber: note.number,
        TxnDate: note.issuedOn,
        CustomerRef: { value: refs.customer },
        CurrencyRef: { value: note.currency },
        GlobalTaxCalculation: 'TaxExcluded',
        Line: salesLines(note.lines, note.currency),
        TxnTaxDetail: { TotalTax: toAmount(note.tax, note.currency) },
        ...(note.memo && { CustomerMemo: { value: note.memo.slice(0, 1000) } }),
        PrivateNote: `Billwright credit note ${note.id} for invoice ${note.invoiceNumber}`,
      };
      const existing =
        refs.existing ?? (await findOne('CreditMemo', `DocNumber = ${quote(note.number)}`));
      const saved = await upsert('CreditMemo', body, existing, requestIdOf('credit_note', note.id));
      return ack(saved, note.currency);
    },

    async upsertPayment(payment: AccountingPayment, refs) {
      if (!refs.invoice) throw new Error(`payment ${payment.id} needs its invoice pushed first`);
      const note = `Billwright payment ${payment.id}`;
      const body: Entity = {
        CustomerRef: { value: refs.customer },
        CurrencyRef: { value: payment.currency },
        TotalAmt: toAmount(payment.amount, payment.currency),
        TxnDate: payment.paidOn,
        // QuickBooks keeps 21 characters of a reference; the full one is in the note.
        PaymentRefNum: payment.reference.slice(0, 21),
        PrivateNote: `${note} (${payment.method}, ${payment.reference})`.slice(0, 4000),
        ...(options.depositAccountRef && {
          DepositToAccountRef: { value: options.depositAccountRef },
        }),
        Line: [
          {
            Amount: toAmount(payment.appliedAmount, payment.currency),
            LinkedTxn: [{ TxnId: refs.invoice, TxnType: 'Invoice' }],
          },
        ],
      };
      // A payment has no number of its own: the note names it, on its date.
      const existing =
        refs.existing ??
        (await query('Payment', `TxnDate = ${quote(payment.paidOn)}`)).find(
          (p) => typeof p.PrivateNote === 'string' && p.PrivateNote.startsWith(`${note} `),
        );
      const saved = await upsert('Payment', body, existing, requestIdOf('payment', payment.id));
      return ack(saved, payment.currency);
    },

    async heldDocuments(kind, period) {
      const entity = ENTITY[kind];
      const held: HeldDocument[] = [];
      for (let start = 1; ; start += PAGE) {
        const page = await query(
          entity,
          `TxnDate >= ${quote(period.from)} and TxnDate < ${quote(period.to)} ` +
            `orderby Id startposition ${start} maxresults ${PAGE}`,
        );
        held.push(...page.map((e) => toHeld(kind, e)));
        if (page.length < PAGE) return held;
      }
    },

    async heldDocument(kind, externalId) {
      const entity = ENTITY[kind];
      const found = await findOne(entity, `Id = ${quote(externalId)}`);
      return found && toHeld(kind, found);
    },
  };
}

/** QuickBooks answers up to 1,000 rows per query. */
const PAGE = 1000;

function pluralEntity(entity: string): string {
  return entity === 'Customer' ? 'Customers' : `${entity}s`;
}

/**
 * QuickBooks requires a customer's display name to be unique; Billwright's names are not (two
 * "Acme GmbH" in two countries), so the Billwright id stands beside the name. It is also how a
 * customer created before its id was saved is found again.
 */
export function customerDisplayName(customer: { id: string; name: string }): string {
  const suffix = ` (${customer.id})`;
  return customer.name.slice(0, 500 - suffix.length) + suffix;
}

/** QuickBooks' requestid: the same request for the same object is answered, not done, twice. */
function requestIdOf(kind: string, id: string): string {
  return `billwright-${kind}-${id}`.slice(0, 50);
}

function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
