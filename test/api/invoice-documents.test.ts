// Invoice PDFs printed once from the stored HTML (real Chromium), and hosted invoice pages at
// signed, expiring links.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildApp } from '../../api/app.ts';
import type { Db } from '../../db/connect.ts';
import type { InvoiceStatus } from '../../domain/invoicing/lifecycle.ts';
import { storeInvoiceDocument } from '../../db/repositories/invoice-documents.ts';
import { signHostedInvoiceLink } from '../../documents/hosted-links.ts';
import { createPdfRenderer, type PdfRenderer } from '../../documents/pdf.ts';
import { loadConfig } from '../../config/index.ts';
import { createDocumentRenderer } from '../../documents/renderer.ts';
import { sampleInvoiceView } from '../support/sample-invoice.ts';
import { insertCustomer } from '../support/builders/customers.ts';
import { insertInvoiceRow } from '../support/builders/invoices.ts';
import { createApiHarness, unreachableTemporal, type ApiHarness } from '../support/api-harness.ts';

const SECRET = 'test-signing-secret-0123456789-abcdef';
const BASE = 'https://billing.example.com';

let api: ApiHarness;
let pdf: PdfRenderer;
/** Renders that reached Chromium through the app. */
let printed = 0;
let customerId: string;

async function insertInvoice(db: Db, id: string, number: string, status: InvoiceStatus = 'open') {
  const view = sampleInvoiceView({ number, status });
  const { subtotal, tax, total } = view.invoice;
  await insertInvoiceRow(db, {
    id,
    number,
    customer_id: customerId,
    status,
    subtotal,
    tax,
    total,
    issued_at: view.invoice.issuedAt,
    due_at: view.invoice.dueAt,
  });
  return view;
}

async function insertRenderedInvoice(db: Db, id: string, number: string) {
  const view = await insertInvoice(db, id, number);
  const content = createDocumentRenderer().renderInvoiceHtml({
    ...view,
    invoice: { ...view.invoice, id },
  });
  const contentHash = createHash('sha256').update(content).digest('hex');
  await storeInvoiceDocument(db, { invoiceId: id, format: 'html', content, contentHash });
  return { contentHash };
}

beforeAll(async () => {
  const real = await createPdfRenderer({ executablePath: loadConfig().chromiumPath });
  pdf = {
    stats: real.stats,
    render: (html) => {
      printed++;
      return real.render(html);
    },
    close: () => real.close(),
  };
  api = await createApiHarness({ pdf, signingSecret: SECRET, publicBaseUrl: BASE });
  customerId = (await insertCustomer(api.db, { locale: 'en-IE' })).id;
});
afterAll(async () => {
  await api?.close();
  await pdf?.close();
});

describe('GET /v1/invoices/:id/pdf', () => {
  let htmlHash: string;
  beforeAll(async () => {
    ({ contentHash: htmlHash } = await insertRenderedInvoice(api.db, 'inv_pdf', 'INV-2027-000101'));
  });

  test('prints the stored HTML once, stores it, and serves the same bytes afterwards', async () => {
    const before = printed;
    const first = await api.request({ method: 'GET', url: '/v1/invoices/inv_pdf/pdf' });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/pdf');
    expect(first.headers['content-disposition']).toBe('inline; filename="INV-2027-000101.pdf"');
    expect(first.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const hash = createHash('sha256').update(first.rawPayload).digest('hex');
    expect(first.headers.etag).toBe(`"${hash}"`);
    expect(printed - before).toBe(1);

    const second = await api.request({ method: 'GET', url: '/v1/invoices/inv_pdf/pdf' });
    expect(second.statusCode).toBe(200);
    expect(Buffer.compare(second.rawPayload, first.rawPayload)).toBe(0);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(printed - before).toBe(1); // served from storage

    const row = await api.db
      .selectFrom('invoice_documents')
      .select(['content_hash', 'source_hash'])
      .where('invoice_id', '=', 'inv_pdf')
      .where('format', '=', 'pdf')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ content_hash: hash, source_hash: htmlHash });
  });

  test('If-None-Match with the ETag is a 304', async () => {
    const first = await api.request({ method: 'GET', url: '/v1/invoices/inv_pdf/pdf' });
    const cached = await api.request({
      method: 'GET',
      url: '/v1/invoices/inv_pdf/pdf',
      headers: { 'if-none-match': first.headers.etag as string },
    });
    expect(cached.statusCode).toBe(304);
    expect(cached.rawPayload.length).toBe(0);
  });

  test('concurrent first requests share one print', async () => {
    await insertRenderedInvoice(api.db, 'inv_race', 'INV-2027-000102');
    const before = printed;
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        api.request({ method: 'GET', url: '/v1/invoices/inv_race/pdf' }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(responses.map((r) => r.headers.etag)).size).toBe(1);
    expect(printed - before).toBe(1);
  });

  test('404 for an unknown invoice and for one not rendered yet', async () => {
    await insertInvoice(api.db, 'inv_unrendered', 'INV-2027-000103');
    const unknown = await api.request({ method: 'GET', url: '/v1/invoices/inv_nope/pdf' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ detail: string }>().detail).toContain('does not exist');
    const unrendered = await api.request({ method: 'GET', url: '/v1/invoices/inv_unrendered/pdf' });
    expect(unrendered.statusCode).toBe(404);
    expect(unrendered.json<{ detail: string }>().detail).toContain('not been rendered');
  });

  test('needs an API key', async () => {
    const response = await api.app.inject({ method: 'GET', url: '/v1/invoices/inv_pdf/pdf' });
    expect(response.statusCode).toBe(401);
  });
});

describe('hosted invoice pages', () => {
  beforeAll(async () => {
    await insertRenderedInvoice(api.db, 'inv_hosted', 'INV-2027-000201');
    await insertRenderedInvoice(api.db, 'inv_other', 'INV-2027-000202');
  });

  async function hostedLink(id: string, body: object = {}) {
    const response = await api.request({
      method: 'POST',
      url: `/v1/invoices/${id}/hosted-link`,
      payload: body,
    });
    expect(response.statusCode).toBe(200);
    return response.json<{ url: string; expiresAt: string }>();
  }

  /** The path and query of a link, as app.inject takes them. */
  const local = (url: string) => {
    const u = new URL(url);
    return u.pathname + u.search;
  };

  test('POST hosted-link answers a signed URL valid for 30 days by default', async () => {
    const { url, expiresAt } = await hostedLink('inv_hosted');
    expect(url).toMatch(
      /^https:\/\/billing\.example\.com\/hosted\/invoices\/inv_hosted\?expires=\d+&signature=[\w-]{43}$/,
    );
    const days = (Date.parse(expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThanOrEqual(30);
    const short = await hostedLink('inv_hosted', { expiresInDays: 7 });
    expect(Math.round((Date.parse(short.expiresAt) - Date.now()) / 86_400_000)).toBe(7);
  });

  test('a valid link shows the stored invoice under a banner with its status and how to pay', async () => {
    const { url } = await hostedLink('inv_hosted');
    const response = await api.app.inject({ method: 'GET', url: local(url) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['cache-control']).toBe('private, no-store');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    const html = response.body;
    expect(html).toContain('INV-2027-000201');
    expect(html).toContain('class="bw-hosted bw-due"');
    expect(html).toMatch(/Amount due: <strong>€846\.42<\/strong> by 3[01] January 2027/);
    // The document under the banner shows each line's arithmetic.
    expect(html).toContain('<span>3,350,000 used, 1,000,000 free</span>');
    expect(html).toContain('<span class="capped">capped at €8.00</span>');
    expect(html).toContain('How to pay:');
    expect(html).toMatch(/href="inv_hosted\/pdf\?expires=\d+&amp;signature=/);
  });

  test('the banner follows the invoice: once paid it says so', async () => {
    await sql`update invoices set status = 'paid' where id = 'inv_other'`.execute(api.db);
    const { url } = await hostedLink('inv_other');
    const response = await api.app.inject({ method: 'GET', url: local(url) });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('class="bw-hosted bw-paid"');
    expect(response.body).toContain('nothing is due');
    expect(response.body).not.toContain('How to pay:');
  });

  test('the hosted PDF is the stored PDF, under the same signature', async () => {
    const { url } = await hostedLink('inv_hosted');
    const u = new URL(url);
    const hostedPdf = await api.app.inject({ method: 'GET', url: `${u.pathname}/pdf${u.search}` });
    expect(hostedPdf.statusCode).toBe(200);
    expect(hostedPdf.headers['content-type']).toBe('application/pdf');
    const v1 = await api.request({ method: 'GET', url: '/v1/invoices/inv_hosted/pdf' });
    expect(Buffer.compare(hostedPdf.rawPayload, v1.rawPayload)).toBe(0);
  });

  test('a tampered link is a 403, whatever was changed', async () => {
    const { url } = await hostedLink('inv_hosted');
    const u = new URL(url);
    const signature = u.searchParams.get('signature')!;
    const expires = u.searchParams.get('expires')!;
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const attempts = [
      `/hosted/invoices/inv_hosted?expires=${expires}&signature=${flipped}`,
      `/hosted/invoices/inv_hosted?expires=${Number(expires) + 86_400}&signature=${signature}`,
      `/hosted/invoices/inv_other?expires=${expires}&signature=${signature}`, // another invoice
      `/hosted/invoices/inv_hosted/pdf?expires=${expires}&signature=${flipped}`,
      `/hosted/invoices/inv_hosted?expires=${expires}`,
      '/hosted/invoices/inv_hosted',
      `/hosted/invoices/inv_hosted?expires=${expires}&signature=${signature}%3D`, // non-canonical
    ];
    for (const attempt of attempts) {
      const response = await api.app.inject({ method: 'GET', url: attempt });
      expect(response.statusCode, attempt).toBe(403);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json<{ type: string }>().type).toBe('/problems/forbidden');
    }
  });

  test('an expired link is a 410', async () => {
    const expired = signHostedInvoiceLink(BASE, 'inv_hosted', new Date(Date.now() - 1000), SECRET);
    const response = await api.app.inject({ method: 'GET', url: local(expired) });
    expect(response.statusCode).toBe(410);
    expect(response.json<{ type: string }>().type).toBe('/problems/gone');
  });

  test('an unknown invoice answers like a bad link: no existence leak', async () => {
    const { url } = await hostedLink('inv_hosted');
    const forged = local(url).replace('inv_hosted', 'inv_does_not_exist');
    const response = await api.app.inject({ method: 'GET', url: forged });
    expect(response.statusCode).toBe(403);
  });

  test('POST hosted-link: 404 for an unknown invoice, 409 before it is rendered', async () => {
    const unknown = await api.request({ method: 'POST', url: '/v1/invoices/inv_nope/hosted-link' });
    expect(unknown.statusCode).toBe(404);
    await insertInvoice(api.db, 'inv_draftish', 'INV-2027-000203');
    const early = await api.request({
      method: 'POST',
      url: '/v1/invoices/inv_draftish/hosted-link',
      payload: {},
    });
    expect(early.statusCode).toBe(409);
  });
});

describe('the browser is the app’s own unless given', () => {
  test('launched on the first print only, and closed with the app', async () => {
    let launched = 0;
    let closed = 0;
    const app = await buildApp({
      db: api.db,
      temporal: unreachableTemporal(),
      config: { publicBaseUrl: BASE },
      pdf: () => {
        launched++;
        return Promise.resolve({
          stats: { launches: 1, renders: 0 },
          render: () => Promise.resolve(Buffer.from('%PDF-1.4 fake')),
          close: () => {
            closed++;
            return Promise.resolve();
          },
        });
      },
    });
    await app.ready();
    await insertRenderedInvoice(api.db, 'inv_lazy', 'INV-2027-000301');
    expect(launched).toBe(0);
    const response = await app.inject({
      method: 'GET',
      url: '/v1/invoices/inv_lazy/pdf',
      headers: { authorization: `Bearer ${api.apiKey.key}` },
    });
    expect(response.statusCode).toBe(200);
    expect(launched).toBe(1);
    await app.close();
    expect(closed).toBe(1);
  });

  test('without a signing secret, hosted links answer 503', async () => {
    const saved = process.env.BILLWRIGHT_SIGNING_SECRET;
    delete process.env.BILLWRIGHT_SIGNING_SECRET;
    const app = await buildApp({
      db: api.db,
      temporal: unreachableTemporal(),
      config: { publicBaseUrl: BASE },
      pdf,
    });
    try {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/invoices/inv_hosted/hosted-link',
        headers: { authorization: `Bearer ${api.apiKey.key}` },
        payload: {},
      });
      expect(response.statusCode).toBe(503);
      expect(response.json<{ detail: string }>().detail).toContain('BILLWRIGHT_SIGNING_SECRET');
    } finally {
      await app.close();
      if (saved !== undefined) process.env.BILLWRIGHT_SIGNING_SECRET = saved;
    }
  });
});
