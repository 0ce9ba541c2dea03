// A local stand-in for QuickBooks Online's v3 API, as much of it as the accounting sync uses:
// create, read and sparse-update Customer, Invoice, CreditMemo and Payment; the query endpoint
// (`select * from X where A = 'v' and B >= 'w' orderby Id startposition n maxresults m`); the
// `requestid` replay; Faults in QuickBooks' JSON shapes (duplicate names and numbers, unknown
// references, expired tokens); and the OAuth 2 token refresh. It records every request, can
// answer a status once (an outage), and lets a test change what it holds (a bookkeeper's edit).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedQuickBooksRequest {
  method: string;
  /** Path after /v3/company/<realm>, e.g. "/invoice" or "/query". */
  path: string;
  entity: string | undefined;
  operation: 'create' | 'update' | 'read' | 'query' | 'token';
  query: URLSearchParams;
  body: Record<string, unknown> | undefined;
  authorization: string | undefined;
}

type Entity = Record<string, unknown> & { Id: string; SyncToken: string };

const ENTITIES: Record<string, string> = {
  customer: 'Customer',
  invoice: 'Invoice',
  creditmemo: 'CreditMemo',
  payment: 'Payment',
};

export interface QuickBooksServer {
  /** What to set as the base URL: http://127.0.0.1:<port>/v3/company/ */
  baseUrl: string;
  tokenUrl: string;
  realmId: string;
  requests: RecordedQuickBooksRequest[];
  /** Creates only (POST without operation=update), in order. */
  creates(): RecordedQuickBooksRequest[];
  /** What it holds of an entity ("Invoice"), by Id. */
  held(entity: string): Entity[];
  /** Changes a held entity's fields, as a bookkeeper editing it in QuickBooks would. */
  edit(entity: string, id: string, fields: Record<string, unknown>): void;
  /**
   * Answers the next matching request with this status and a Fault, then behaves again. `after`:
   * does what was asked first (a create is kept), as when QuickBooks acted and the answer was lost.
   */
  failNext(
    status: number,
    match?: (request: RecordedQuickBooksRequest) => boolean,
    options?: { after?: boolean },
  ): void;
  /** Access tokens it accepts (the test's, and the last refreshed one). */
  accessTokens: Set<string>;
  close(): Promise<void>;
}

export async function startQuickBooksServer(
  options: { realmId?: string; accessToken?: string } = {},
): Promise<QuickBooksServer> {
  const realmId = options.realmId ?? '9130350000000001';
  const accessTokens = new Set([options.accessToken ?? 'qbo-access-token']);
  const requests: RecordedQuickBooksRequest[] = [];
  const store = new Map<string, Map<string, Entity>>();
  const replays = new Map<string, { status: number; body: unknown }>();
  const failures: {
    status: number;
    match: (r: RecordedQuickBooksRequest) => boolean;
    after: boolean;
  }[] = [];
  let nextId = 100;
  let refreshed = 0;

  const table = (entity: string) => {
    let rows = store.get(entity);
    if (!rows) store.set(entity, (rows = new Map<string, Entity>()));
    return rows;
  };

  function handle(request: RecordedQuickBooksRequest): { status: number; body: unknown } {
    const failure = failures.findIndex((f) => f.match(request));
    if (failure >= 0) {
      const { status, after } = failures.splice(failure, 1)[0]!;
      if (after) answer_(request);
      return fault(status, 'SystemFault', 'An application error has occurred', '10000');
    }
    if (request.operation === 'token') {
      refreshed += 1;
      const token = `qbo-refreshed-${refreshed}`;
      accessTokens.add(token);
      return {
        status: 200,
        body: {
          access_token: token,
          refresh_token: `qbo-refresh-${refreshed}`,
          token_type: 'bearer',
          expires_in: 3600,
          x_refresh_token_expires_in: 8_726_400,
        },
      };
    }
    const token = request.authorization?.replace(/^Bearer /, '');
    if (!token || !accessTokens.has(token)) {
      return fault(401, 'AUTHENTICATION', 'message=AuthenticationFailed; errorCode=003200', '3200');
    }
    const requestId = request.query.get('requestid');
    const replayKey = requestId && `${request.path}|${requestId}`;
    if (replayKey && replays.has(replayKey)) return replays.get(replayKey)!;
    const answer = answer_(request);
    if (replayKey && answer.status === 200) replays.set(replayKey, answer);
    return answer;
  }

  function answer_(request: RecordedQuickBooksRequest): { status: number; body: unknown } {
    const time = new Date().toISOString();
    if (request.operation === 'query') return { status: 200, body: runQuery(request.query) };
    const entity = request.entity!;
    const rows = table(entity);
    if (request.operation === 'read') {
      const id = request.path.split('/')[2]!;
      const row = rows.get(id);
      return row
        ? { status: 200, body: { [entity]: row, time } }
        : fault(400, 'ValidationFault', 'Object Not Found', '610');
    }
    const body = request.body ?? {};
    const invalid = validate(entity, body, request.operation === 'update' ? body.Id : undefined);
    if (invalid) return invalid;
    if (request.operation === 'update') {
      const row = rows.get(String(body.Id));
      if (!row) return fault(400, 'ValidationFault', 'Object Not Found', '610');
      if (String(body.SyncToken) !== row.SyncToken) {
        return fault(400, 'ValidationFault', 'Stale Object Error', '5010');
      }
      const fields = { ...body };
      delete fields.sparse;
      const updated = complete(entity, {
        ...row,
        ...fields,
        SyncToken: String(Number(row.SyncToken) + 1),
        MetaData: { ...(row.MetaData as object), LastUpdatedTime: time },
      });
      rows.set(updated.Id, updated);
      return { status: 200, body: { [entity]: updated, time } };
    }
    const created = complete(entity, {
      ...body,
      Id: String(nextId++),
      SyncToken: '0',
      domain: 'QBO',
      sparse: false,
      MetaData: { CreateTime: time, LastUpdatedTime: time },
    });
    rows.set(created.Id, created);
    return { status: 200, body: { [entity]: created, time } };
  }

  function validate(entity: string, body: Record<string, unknown>, ownId: unknown) {
    const others = [...table(entity).values()].filter((row) => row.Id !== ownId);
    if (entity === 'Customer') {
      if (!body.DisplayName && ownId === undefined) {
        return fault(400, 'ValidationFault', 'Required param missing', '2020', 'DisplayName');
      }
      if (others.some((c) => c.DisplayName === body.DisplayName)) {
        return fault(
          400,
          'ValidationFault',
          'Duplicate Name Exists Error',
          '6240',
          undefined,
          `The name supplied already exists. : Another customer is already using this name.`,
        );
      }
      return undefined;
    }
    const customer = (body.CustomerRef as { value?: string } | undefined)?.value;
    if (customer !== undefined && !table('Customer').has(customer)) {
      return fault(400, 'ValidationFault', 'Invalid Reference Id', '2500', 'CustomerRef');
    }
    if (body.DocNumber && others.some((row) => row.DocNumber === body.DocNumber)) {
      return fault(400, 'ValidationFault', 'Duplicate Document Number Error', '6140');
    }
    if (entity === 'Payment') {
      for (const line of (body.Line as { LinkedTxn?: { TxnId: string }[] }[] | undefined) ?? []) {
        for (const linked of line.LinkedTxn ?? []) {
          if (!table('Invoice').has(linked.TxnId)) {
            return fault(400, 'ValidationFault', 'Invalid Reference Id', '2500', 'LinkedTxn');
          }
        }
      }
    }
    return undefined;
  }

  function runQuery(params: URLSearchParams) {
    const text = params.get('query') ?? '';
    const match =
      /^select \* from (\w+)(?: where (.*?))?(?: orderby (\w+)(?: (?:asc|desc))?)?(?: startposition (\d+))?(?: maxresults (\d+))?$/i.exec(
        text.trim(),
      );
    if (!match) return { Fault: { Error: [{ Message: 'QueryParserError', code: '4000' }] } };
    const entity = ENTITIES[match[1]!.toLowerCase()] ?? match[1]!;
    const conditions = (match[2] ?? '')
      .split(/ and /i)
      .filter(Boolean)
      .map((c) => {
        const m = /^(\w+) (=|<=|>=|<|>) '((?:[^'\\]|\\.)*)'$/.exec(c.trim());
        if (!m) throw new Error(`cannot parse condition ${c}`);
        return { field: m[1]!, op: m[2]!, value: m[3]!.replace(/\\(.)/g, '$1') };
      });
    const start = Number(match[4] ?? 1);
    const max = Number(match[5] ?? 100);
    const rows = [...table(entity).values()]
      .filter((row) =>
        conditions.every(({ field, op, value }) => {
          const raw = row[field];
          const actual = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
          const cmp = field === 'Id' ? Number(actual) - Number(value) : actual.localeCompare(value);
          return op === '='
            ? cmp === 0
            : op === '<'
              ? cmp < 0
              : op === '>'
                ? cmp > 0
                : op === '<='
                  ? cmp <= 0
                  : cmp >= 0;
        }),
      )
      .sort((a, b) => Number(a.Id) - Number(b.Id))
      .slice(start - 1, start - 1 + max);
    return {
      QueryResponse:
        rows.length === 0 ? {} : { [entity]: rows, startPosition: start, maxResults: rows.length },
      time: new Date().toISOString(),
    };
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const text = Buffer.concat(chunks).toString('utf8');
      const isToken = url.pathname === '/oauth2/v1/tokens/bearer';
      const prefix = `/v3/company/${realmId}`;
      if (!isToken && !url.pathname.startsWith(prefix)) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such company');
        return;
      }
      const path = isToken ? url.pathname : url.pathname.slice(prefix.length);
      const entity = ENTITIES[path.split('/')[1] ?? ''];
      const request: RecordedQuickBooksRequest = {
        method: req.method ?? 'GET',
        path,
        entity,
        operation: isToken
          ? 'token'
          : path === '/query'
            ? 'query'
            : req.method === 'GET'
              ? 'read'
              : url.searchParams.get('operation') === 'update'
                ? 'update'
                : 'create',
        query: url.searchParams,
        body: text && !isToken ? (JSON.parse(text) as Record<string, unknown>) : undefined,
        authorization: req.headers.authorization,
      };
      requests.push(request);
      let answer: { status: number; body: unknown };
      try {
        answer = handle(request);
      } catch (error) {
        answer = fault(
          400,
          'ValidationFault',
          'QueryParserError',
          '4000',
          undefined,
          String(error),
        );
      }
      res.writeHead(answer.status, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl: `${origin}/v3/company/`,
    tokenUrl: `${origin}/oauth2/v1/tokens/bearer`,
    realmId,
    requests,
    accessTokens,
    creates: () => requests.filter((r) => r.operation === 'create'),
    held: (entity) => [...table(entity).values()],
    edit(entity, id, fields) {
      const row = table(entity).get(id);
      if (!row) throw new Error(`no ${entity} ${id}`);
      table(entity).set(id, {
        ...row,
        ...fields,
        SyncToken: String(Number(row.SyncToken) + 1),
      });
    },
    failNext(status, match = () => true, failure = {}) {
      failures.push({ status, match, after: failure.after ?? false });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** What QuickBooks adds to what it is sent: line ids, totals, balances, names. */
function complete(entity: string, row: Record<string, unknown>): Entity {
  const out = { ...row } as Entity;
  if (entity === 'Customer') {
    out.FullyQualifiedName = out.DisplayName;
    out.Active ??= true;
    out.Balance ??= 0;
    return out;
  }
  if (entity === 'Invoice' || entity === 'CreditMemo') {
    const lines = ((row.Line as Record<string, unknown>[] | undefined) ?? []).filter(
      (l) => l.DetailType !== 'SubTotalLineDetail',
    );
    const subtotal = cents(lines.reduce((s, l) => s + Number(l.Amount ?? 0), 0));
    const tax = Number((row.TxnTaxDetail as { TotalTax?: number } | undefined)?.TotalTax ?? 0);
    out.Line = [
      ...lines.map((l, i) => ({ Id: String(i + 1), LineNum: i + 1, ...l })),
      { Amount: subtotal, DetailType: 'SubTotalLineDetail', SubTotalLineDetail: {} },
    ];
    // A bookkeeper's edit of TotalAmt stands; otherwise QuickBooks adds lines and tax.
    if (row.TotalAmt === undefined || row.Line !== undefined) out.TotalAmt = cents(subtotal + tax);
    out.Balance ??= out.TotalAmt;
    return out;
  }
  if (entity === 'Payment') out.UnappliedAmt ??= 0;
  return out;
}

function cents(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function fault(
  status: number,
  type: string,
  message: string,
  code: string,
  element?: string,
  detail?: string,
) {
  return {
    status,
    body: {
      Fault: {
        Error: [{ Message: message, Detail: detail ?? message, code, ...(element && { element }) }],
        type,
      },
      time: new Date().toISOString(),
    },
  };
}
