// Documents a customer is owed, end to end through the public API and the collection workflow
// (time-skipping server, real PostgreSQL, real Chromium): a payment's receipt, a refund credit
// note and a correction credit note are each emailed exactly once, with their stored PDF
// attached and a signed link to their hosted page, which opens (and refuses a bad signature).
import { execFileSync } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { createDraftInvoice } from '../../db/repositories/invoice-drafts.ts';
import { createPdfRenderer, type PdfRenderer } from '../../documents/pdf.ts';
import { realActivities } from '../support/activities.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import {
  createTimeSkippingEnvironment,
  eventually,
  startTestWorker,
  type RunningWorker,
} from '../support/temporal.ts';

const SECRET = 'test-signing-secret-0123456789-abcdef';
const BASE = 'https://billing.example.com';

let env: TestWorkflowEnvironment;
let api: ApiHarness;
let pdf: PdfRenderer;
let worker: RunningWorker;

beforeAll(async () => {
  const config = loadConfig({});
  [env, pdf] = await Promise.all([
    createTimeSkippingEnvironment(),
    createPdfRenderer({ executablePath: config.chromiumPath }),
  ]);
  api = await createApiHarness({
    temporal: env.client,
    pdf,
    signingSecret: SECRET,
    publicBaseUrl: BASE,
  });
  const activities = realActivities(
    api.db,
    { ...config, signingSecret: SECRET, publicBaseUrl: BASE },
    { pdf },
  );
  worker = await startTestWorker(env, { activities });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await env?.teardown();
  await pdf?.close();
});

const post = (url: string, payload: object) => api.request({ method: 'POST', url, payload });

interface SentEmail {
  key: string;
  text: string;
  attachments: { filename: string; contentType: string; content: string }[];
}

/** The outbox copies of the email sent under `key` (the ledger keeps one row per key). */
async function sent(key: string): Promise<SentEmail[]> {
  const rows = await api.db
    .selectFrom('outbox_messages')
    .select(['idempotency_key', 'text', 'attachments'])
    .where('idempotency_key', '=', key)
    .execute();
  return rows.map((r) => ({ key: r.idempotency_key, text: r.text, attachments: r.attachments }));
}

function pdfText(base64: string): string {
  return execFileSync('pdftotext', ['-layout', '-', '-'], { input: Buffer.from(base64, 'base64') })
    .toString()
    .replace(/\s+/g, ' ');
}

/** The hosted link in an email's text, as a path and query the app answers. */
function hostedPath(text: string, kind: string): string {
  const link = new RegExp(`${BASE}(/hosted/${kind}/[^\\s?]+\\?[^\\s)]+)`).exec(text);
  expect(link, text).not.toBeNull();
  return link![1]!;
}

test('a receipt, a refund and a correction credit note: each emailed once, with its document', async () => {
  const customerId = await postCustomer(api, { email: 'owed@example.com', country: 'FR' });
  const draft = await createDraftInvoice(api.db, {
    customerId,
    currency: 'EUR',
    lines: [{ description: 'Pro', quantity: '1', unitAmount: '10000', amount: 10000 }],
  });
  const finalized = await api.request({ method: 'POST', url: `/v1/invoices/${draft.id}/finalize` });
  expect(finalized.statusCode, finalized.body).toBe(200);
  const invoice = finalized.json<{ id: string; total: { amount: number } }>();

  const paid = await post(`/v1/invoices/${invoice.id}/payments`, {
    amount: invoice.total.amount,
    method: 'bank transfer',
    reference: 'wire-owed-1',
  });
  expect(paid.statusCode, paid.body).toBeLessThan(300);
  const paymentId = paid.json<{ payment: { id: string } }>().payment.id;
  const receiptKey = `invoice/${invoice.id}/receipt/${paymentId}`;
  const [receipt] = await eventually('the receipt', async () => {
    const found = await sent(receiptKey);
    return found.length > 0 && found;
  });
  expect(receipt!.attachments.map((a) => a.filename)).toEqual([`receipt-${paymentId}.pdf`]);
  expect(pdfText(receipt!.attachments[0]!.content)).toContain('bank transfer');
  const receiptPage = await api.app.inject({ url: hostedPath(receipt!.text, 'receipts') });
  expect(receiptPage.statusCode).toBe(200);

  const credits: { id: string; number: string }[] = [];
  for (const [reason, amount] of [
    ['refund', 1200],
    ['correction', 600],
  ] as const) {
    const issued = await post(`/v1/invoices/${invoice.id}/credit-notes`, {
      reason,
      amount,
      memo: `A ${reason} for the test`,
    });
    expect(issued.statusCode, issued.body).toBe(201);
    credits.push(issued.json<{ id: string; number: string }>());
  }

  for (const [i, note] of credits.entries()) {
    const key = `credit-note/${note.id}/issued`;
    const [email] = await eventually(`credit note ${i + 1}`, async () => {
      const found = await sent(key);
      return found.length > 0 && found;
    });
    expect(email!.attachments.map((a) => a.filename)).toEqual([`${note.number}.pdf`]);
    expect(pdfText(email!.attachments[0]!.content)).toContain(note.number);
    const page = hostedPath(email!.text, 'credit-notes');
    const hosted = await api.app.inject({ url: page });
    expect(hosted.statusCode).toBe(200);
    expect(hosted.body).toContain(note.number);
    const forged = await api.app.inject({ url: page.replace(/signature=[^&]+/, 'signature=AAAA') });
    expect(forged.statusCode).toBe(403);
  }

  // Nudged again (another payment's webhook, a retry): nothing goes out twice.
  await post(`/v1/invoices/${invoice.id}/credit-notes`, { reason: 'other', amount: 100 });
  const ledger = await eventually('the third credit note', async () => {
    const rows = await api.db
      .selectFrom('email_deliveries')
      .select(['idempotency_key', 'status'])
      .where('invoice_id', '=', invoice.id)
      .execute();
    return rows.filter((r) => r.idempotency_key.startsWith('credit-note/')).length === 3 && rows;
  });
  for (const key of [receiptKey, ...credits.map((n) => `credit-note/${n.id}/issued`)]) {
    expect(ledger.filter((r) => r.idempotency_key === key)).toEqual([
      { idempotency_key: key, status: 'sent' },
    ]);
    expect(await sent(key)).toHaveLength(1);
  }
}, 120_000);
