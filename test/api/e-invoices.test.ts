// E-invoices through the public API, validated for real: customers choose a format (refused,
// naming the field, when it lacks what the format needs); four documents (a domestic
// standard-rated invoice, an EU B2B reverse charge, a discount over two VAT rates, a credit
// note) are fetched in every format and checked with the official rules (EN 16931 schematron,
// XRechnung 3.0 CIUS, Peppol BIS Billing 3.0, each with its XML schema, as phive ships them) and
// the Factur-X PDFs with veraPDF (PDF/A-3), their embedded XML compared with the CII the library
// writes for the same data. The invoice and credit-note emails attach the customer's format.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvoiceService, type Invoice } from '@e-invoice-eu/core';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadEInvoiceSource } from '../../activities/e-invoices.ts';
import { loadConfig } from '../../config/index.ts';
import { createDraftInvoice } from '../../db/repositories/invoice-drafts.ts';
import { eInvoiceData } from '../../documents/e-invoice-data.ts';
import { createPdfRenderer, type PdfRenderer } from '../../documents/pdf.ts';
import { ensureEInvoiceValidator } from '../../infra/einvoice-validator.ts';
import { realActivities, type Activities } from '../support/activities.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';
import { postCustomer } from '../support/builders/customers.ts';
import { recordingTemporal } from '../support/recording-temporal.ts';

const FORMATS = ['xrechnung-cii', 'xrechnung-ubl', 'peppol-ubl', 'factur-x-en16931'] as const;
type Format = (typeof FORMATS)[number];

/** What every e-invoicing customer here has: an address, a Leitweg-ID, a Peppol id. */
const E_INVOICING = {
  customerType: 'business',
  address: { line1: 'Hauptstraße 1', postalCode: '10115', city: 'Berlin' },
  buyerReference: '04011000-12345-03',
};

let api: ApiHarness;
let pdf: PdfRenderer;
let activities: Activities;
let dir: string;
const activityEnv = new MockActivityEnvironment();
/** Each document's e-invoice per format, as the API served it. */
const served = new Map<string, { body: Buffer; contentType: string; disposition: string }>();
/** The validator's verdict per file. */
const verdicts = new Map<string, { valid: boolean; set: string; errors: string[] }>();
const documents: {
  name: string;
  kind: 'invoice' | 'credit_note';
  id: string;
  customerId: string;
}[] = [];

async function call<T>(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) {
  const response = await api.request({ method, url, ...(payload ? { payload } : {}) });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.json<T>();
}

/** A finalized invoice of these lines, rendered and printed as the delivery workflow does. */
async function finalizedInvoice(
  customerId: string,
  lines: Parameters<typeof createDraftInvoice>[1]['lines'],
): Promise<{ id: string; number: string; total: number }> {
  const draft = await createDraftInvoice(api.db, { customerId, currency: 'EUR', lines });
  const invoice = await call<{ id: string; number: string; total: number }>(
    'POST',
    `/v1/invoices/${draft.id}/finalize`,
  );
  const rendered = await activities.renderInvoice({ invoiceId: invoice.id });
  await activities.printInvoicePdf({ invoiceId: invoice.id, contentHash: rendered.contentHash });
  return invoice;
}

function path(document: string, format: Format): string {
  return `/v1/${document.startsWith('credit') ? 'credit-notes' : 'invoices'}/${documents.find((d) => d.name === document)!.id}/e-invoice#${format}`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'e-invoices-'));
  const validator = ensureEInvoiceValidator();
  const real = await createPdfRenderer({ executablePath: loadConfig().chromiumPath });
  pdf = real;
  api = await createApiHarness({ temporal: recordingTemporal().client, pdf });
  activities = realActivities(api.db, loadConfig({}), { pdf });

  // 1. Domestic (IE seller, IE business buyer): standard-rated.
  const domestic = await postCustomer(api, {
    ...E_INVOICING,
    name: 'Dublin Widgets Ltd',
    email: 'ap@widgets.test',
    country: 'IE',
    timezone: 'Europe/Dublin',
    locale: 'en-IE',
    vatNumber: 'IE6388047V',
    address: { line1: '2 Quay Street', postalCode: 'D02 AB12', city: 'Dublin' },
    peppolEndpoint: { scheme: '9935', id: 'IE6388047V' },
  });
  // 2. EU B2B (DE buyer with a VAT number): reverse charge.
  const german = await postCustomer(api, {
    ...E_INVOICING,
    name: 'Acme GmbH',
    email: 'rechnung@acme.test',
    country: 'DE',
    timezone: 'Europe/Berlin',
    locale: 'de-DE',
    vatNumber: 'DE123456789',
    paymentTermsDays: 30,
    peppolEndpoint: { scheme: '9930', id: 'DE123456789' },
  });
  // 3. A discount over two VAT rates: a German buyer without a VAT number is taxed at German
  // rates (OSS), 19 % and 7 % for e-books.
  const reduced = await postCustomer(api, {
    ...E_INVOICING,
    name: 'Berliner Bücherstube',
    email: 'ap@books.test',
    country: 'DE',
    timezone: 'Europe/Berlin',
    locale: 'de-DE',
    customerType: 'individual',
    peppolEndpoint: { scheme: '0204', id: '04011000-12345-03' },
  });

  const first = await finalizedInvoice(domestic, [
    { description: 'Pro plan, December', quantity: '1', unitAmount: '4900', amount: 4900 },
    { description: 'Extra seats', quantity: '3', unitAmount: '1250', amount: 3750 },
  ]);
  const second = await finalizedInvoice(german, [
    { description: 'Enterprise plan', quantity: '1', unitAmount: '120000', amount: 120000 },
  ]);
  const third = await finalizedInvoice(reduced, [
    {
      description: 'Team plan',
      quantity: '1',
      unitAmount: '10000',
      amount: 10000,
      discountAmount: 1500,
    },
    {
      description: 'Handbook (e-book)',
      quantity: '2',
      unitAmount: '1999',
      amount: 3998,
      discountAmount: 400,
      taxCategory: 'ebook',
    },
  ]);
  const credit = await call<{ id: string }>('POST', `/v1/invoices/${second.id}/credit-notes`, {
    reason: 'correction',
    memo: 'Enterprise plan billed twice',
    amount: 30000,
  });
  const taxedCredit = await call<{ id: string }>('POST', `/v1/invoices/${first.id}/credit-notes`, {
    reason: 'refund',
    memo: 'Seat removed',
    amount: 5000,
  });
  documents.push(
    { name: 'domestic', kind: 'invoice', id: first.id, customerId: domestic },
    { name: 'reverse-charge', kind: 'invoice', id: second.id, customerId: german },
    { name: 'discount-two-rates', kind: 'invoice', id: third.id, customerId: reduced },
    { name: 'credit-note', kind: 'credit_note', id: credit.id, customerId: german },
    { name: 'credit-note-taxed', kind: 'credit_note', id: taxedCredit.id, customerId: domestic },
  );

  // Every document in every format, through the API, the customer's setting switched between.
  const args: string[] = [];
  for (const format of FORMATS) {
    for (const customerId of [domestic, german, reduced]) {
      await call('PATCH', `/v1/customers/${customerId}`, { eInvoiceFormat: format });
    }
    for (const document of documents) {
      const url = path(document.name, format).split('#')[0]!;
      const response = await api.request({ method: 'GET', url });
      expect(response.statusCode, `${document.name} ${format}: ${response.body}`).toBe(200);
      const body = response.rawPayload;
      served.set(`${document.name}/${format}`, {
        body,
        contentType: String(response.headers['content-type']),
        disposition: String(response.headers['content-disposition']),
      });
      const file = join(dir, `${document.name}.${format}`);
      if (format === 'factur-x-en16931') {
        writeFileSync(`${file}.pdf`, body);
        args.push('pdfa', `${file}.pdf`);
        // The XML inside, as any Factur-X reader takes it out.
        const out = join(dir, `${document.name}-attachments`);
        execFileSync('mkdir', ['-p', out]);
        execFileSync('pdfdetach', ['-saveall', '-o', out, `${file}.pdf`]);
        args.push('en16931-cii', join(out, 'factur-x.xml'));
      } else {
        writeFileSync(`${file}.xml`, body);
        const ubl = format !== 'xrechnung-cii';
        const rules = {
          'xrechnung-cii': ['en16931-cii', 'xrechnung-cii'],
          'xrechnung-ubl': ['xrechnung-ubl'],
          'peppol-ubl': ['peppol'],
        }[format];
        for (const rule of rules) {
          const doc = document.kind === 'credit_note' ? 'credit-note' : 'invoice';
          args.push(ubl ? `${rule}-${doc}` : rule, `${file}.xml`);
        }
      }
    }
  }
  // Controls: the validator must refuse what is wrong (else a pass would prove nothing).
  const tampered = join(dir, 'control-no-buyer-reference.xml');
  writeFileSync(
    tampered,
    readFileSync(join(dir, 'domestic.xrechnung-ubl.xml'), 'utf8').replace(
      /<cbc:BuyerReference>[^<]*<\/cbc:BuyerReference>/,
      '',
    ),
  );
  const plainPdf = join(dir, 'control-plain.pdf');
  writeFileSync(plainPdf, await pdf.render('<p>Not an archive</p>'));
  args.push('xrechnung-ubl-invoice', tampered, 'pdfa', plainPdf);
  const launcher = await validator;
  expect(launcher, 'the e-invoice validator could not be built (java, mvn)').toBeDefined();
  let output: string;
  try {
    output = execFileSync(launcher!, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (error) {
    // Exit 1: some file is invalid; the verdicts say which.
    output = (error as { stdout: string }).stdout;
  }
  for (const line of output.trim().split('\n')) {
    const verdict = JSON.parse(line) as {
      file: string;
      rules: string;
      set: string;
      valid: boolean;
      errors: string[];
    };
    verdicts.set(`${verdict.file}|${verdict.rules}`, verdict);
  }
}, 240_000);

afterAll(async () => {
  await api?.close();
  await pdf?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('customer settings', () => {
  test('XRechnung without a buyer reference is refused, naming the field', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/v1/customers',
      payload: {
        name: 'Stadt Musterhausen',
        email: 'rechnung@musterhausen.test',
        currency: 'EUR',
        country: 'DE',
        timezone: 'Europe/Berlin',
        locale: 'de-DE',
        address: { line1: 'Rathausplatz 1', postalCode: '12345' },
        eInvoiceFormat: 'xrechnung-cii',
      },
    });
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    const fields = response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields.sort()).toEqual(['address.city', 'buyerReference']);
  });

  test('Peppol without the buyer’s Peppol id is refused; a correction is checked likewise', async () => {
    const id = documents.find((d) => d.name === 'domestic')!.customerId;
    const cleared = await api.request({
      method: 'PATCH',
      url: `/v1/customers/${id}`,
      payload: { eInvoiceFormat: 'peppol-ubl', peppolEndpoint: null },
    });
    expect(cleared.statusCode).toBe(422);
    expect(cleared.json<{ errors: { field: string }[] }>().errors).toEqual([
      expect.objectContaining({ field: 'peppolEndpoint' }),
    ]);
    const shown = await call<{ eInvoiceFormat: string; peppolEndpoint: unknown }>(
      'GET',
      `/v1/customers/${id}`,
    );
    expect(shown.peppolEndpoint).toEqual({ scheme: '9935', id: 'IE6388047V' });
  });

  test('a customer without e-invoicing has none to fetch (409), a draft neither', async () => {
    const plain = await postCustomer(api, { email: 'plain@example.com', country: 'FR' });
    const draft = await createDraftInvoice(api.db, {
      customerId: plain,
      currency: 'EUR',
      lines: [{ description: 'x', quantity: '1', unitAmount: '100', amount: 100 }],
    });
    const asDraft = await api.request({ method: 'GET', url: `/v1/invoices/${draft.id}/e-invoice` });
    expect(asDraft.statusCode).toBe(409);
    await call('POST', `/v1/invoices/${draft.id}/finalize`);
    const none = await api.request({ method: 'GET', url: `/v1/invoices/${draft.id}/e-invoice` });
    expect(none.statusCode).toBe(409);
    expect(none.body).toContain('eInvoiceFormat');
    const missing = await api.request({ method: 'GET', url: '/v1/credit-notes/cn_nope/e-invoice' });
    expect(missing.statusCode).toBe(404);
  });
});

describe('validated with the official rules', () => {
  const cases = [
    'domestic',
    'reverse-charge',
    'discount-two-rates',
    'credit-note',
    'credit-note-taxed',
  ].flatMap((document) => FORMATS.map((format) => [document, format] as const));

  test.each(cases)('%s as %s passes every rule set', (document, format) => {
    const file = join(dir, `${document}.${format}`);
    const mine = [...verdicts.entries()].filter(([key]) =>
      format === 'factur-x-en16931'
        ? key.startsWith(`${file}.pdf|`) || key.startsWith(join(dir, `${document}-attachments`))
        : key.startsWith(`${file}.xml|`),
    );
    expect(mine.length).toBeGreaterThan(0);
    for (const [key, verdict] of mine) {
      expect({ key, set: verdict.set, errors: verdict.errors }).toEqual({
        key,
        set: verdict.set,
        errors: [],
      });
      expect(verdict.valid).toBe(true);
    }
  });

  test('the validator refuses a file that breaks a rule, and a PDF that is not PDF/A-3', () => {
    const tampered = verdicts.get(
      `${join(dir, 'control-no-buyer-reference.xml')}|xrechnung-ubl-invoice`,
    )!;
    expect(tampered.valid).toBe(false);
    expect(tampered.errors.join('\n')).toMatch(/^BR-DE-15 /m);
    const plain = verdicts.get(`${join(dir, 'control-plain.pdf')}|pdfa`)!;
    expect(plain.valid).toBe(false);
  });

  test('the rule sets are the official ones in force', () => {
    const sets = new Set(
      [...verdicts.entries()].filter(([key]) => !key.includes('control-')).map(([, v]) => v.set),
    );
    expect(sets).toEqual(
      new Set([
        'eu.cen.en16931:cii:1.3.15',
        'de.xrechnung:cii:3.0.2',
        'de.xrechnung:ubl-invoice:3.0.2',
        'de.xrechnung:ubl-creditnote:3.0.2',
        'eu.peppol.bis3:invoice:2025.11',
        'eu.peppol.bis3:creditnote:2025.11',
        'veraPDF PDF/A-3b',
      ]),
    );
  });
});

describe('what the documents say', () => {
  const xml = (document: string, format: Format) =>
    served.get(`${document}/${format}`)!.body.toString('utf8');

  test('content types and file names follow the format', () => {
    const invoice = served.get('domestic/xrechnung-ubl')!;
    expect(invoice.contentType).toMatch(/^application\/xml/);
    expect(invoice.disposition).toMatch(/filename="INV-\d{4}-\d{6}\.xml"/);
    const facturX = served.get('domestic/factur-x-en16931')!;
    expect(facturX.contentType).toBe('application/pdf');
    expect(facturX.body.subarray(0, 5).toString()).toBe('%PDF-');
  });

  test('the domestic invoice: 23 % standard rate, amounts in euros, what was credited prepaid', () => {
    const ubl = xml('domestic', 'peppol-ubl');
    expect(ubl).toContain(
      '<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>',
    );
    expect(ubl).toMatch(
      /<cbc:LineExtensionAmount currencyID="EUR">86\.50<\/cbc:LineExtensionAmount>/,
    );
    expect(ubl).toMatch(/<cbc:ID>S<\/cbc:ID>\s*<cbc:Percent>23<\/cbc:Percent>/);
    expect(ubl).toMatch(/<cbc:TaxAmount currencyID="EUR">19\.90<\/cbc:TaxAmount>/);
    expect(ubl).toMatch(/<cbc:TaxInclusiveAmount currencyID="EUR">106\.40</);
    // The refund's credit note (50.00) settled part of it: prepaid, and the rest is due.
    expect(ubl).toMatch(/<cbc:PrepaidAmount currencyID="EUR">50\.00</);
    expect(ubl).toMatch(/<cbc:PayableAmount currencyID="EUR">56\.40</);
  });

  test('the reverse charge: category AE with its exemption reason in the customer’s language', () => {
    const cii = xml('reverse-charge', 'xrechnung-cii');
    expect(cii).toContain('<ram:CategoryCode>AE</ram:CategoryCode>');
    expect(cii).toContain('VATEX-EU-AE');
    expect(cii).toContain('Steuerschuldnerschaft des Leistungsempfängers');
    expect(cii).toContain('Zahlbar innerhalb von 30 Tagen');
    expect(cii).toContain('<ram:BuyerReference>04011000-12345-03</ram:BuyerReference>');
  });

  test('the discount: one allowance per VAT rate, taxed per rate', () => {
    const ubl = xml('discount-two-rates', 'xrechnung-ubl');
    const allowances = [...ubl.matchAll(/<cac:AllowanceCharge>[\s\S]*?<\/cac:AllowanceCharge>/g)];
    expect(allowances.map((m) => /<cbc:Amount currencyID="EUR">([\d.]+)</.exec(m[0])![1])).toEqual([
      '15.00',
      '4.00',
    ]);
    const rates = [
      ...ubl.matchAll(/<cac:TaxSubtotal>[\s\S]*?<cbc:Percent>([\d.]+)<\/cbc:Percent>/g),
    ];
    expect(rates.map((m) => m[1])).toHaveLength(2);
    expect(ubl).toMatch(/<cbc:AllowanceTotalAmount currencyID="EUR">19\.00</);
  });

  test('the credit note: a UBL CreditNote (381) referring to its invoice', () => {
    const ubl = xml('credit-note', 'peppol-ubl');
    expect(ubl).toContain(
      '<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"',
    );
    expect(ubl).toContain('<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>');
    const invoiceNumber = /<cbc:ID>(INV-[^<]+)<\/cbc:ID>/.exec(ubl)![1];
    expect(invoiceNumber).toMatch(/^INV-/);
    expect(ubl).toContain('Enterprise plan billed twice');
  });

  test('each Factur-X PDF carries exactly the CII the library writes for the same data', async () => {
    for (const document of documents) {
      const embedded = readFileSync(
        join(dir, `${document.name}-attachments`, 'factur-x.xml'),
        'utf8',
      );
      const source = await loadEInvoiceSource(
        api.db,
        { kind: document.kind, id: document.id },
        { seller: loadConfig({}).seller, brand: loadConfig({}).brand },
      );
      if (typeof source === 'string') throw new Error(source);
      const cii = await new InvoiceService({ log() {}, warn() {}, error() {} }).generate(
        eInvoiceData(source) as unknown as Invoice,
        { format: 'CII', lang: 'en' },
      );
      expect(embedded).toBe(cii);
    }
  });

  test('a second request serves the stored bytes (ETag), whatever happened since', async () => {
    const document = documents.find((d) => d.name === 'domestic')!;
    const url = `/v1/invoices/${document.id}/e-invoice`;
    const first = await api.request({ method: 'GET', url });
    const again = await api.request({ method: 'GET', url });
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
    const cached = await api.request({
      method: 'GET',
      url,
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    expect(cached.statusCode).toBe(304);
  });
});

describe('emails', () => {
  test('the invoice email attaches the XML beside the PDF; Factur-X replaces the PDF', async () => {
    const customerId = documents.find((d) => d.name === 'domestic')!.customerId;
    await call('PATCH', `/v1/customers/${customerId}`, { eInvoiceFormat: 'xrechnung-ubl' });
    const xmlInvoice = await finalizedInvoice(customerId, [
      { description: 'Pro plan, January', quantity: '1', unitAmount: '4900', amount: 4900 },
    ]);
    await activityEnv.run(() => activities.emailInvoice({ invoiceId: xmlInvoice.id }));
    const stored = await api.request({
      method: 'GET',
      url: `/v1/invoices/${xmlInvoice.id}/e-invoice`,
    });
    await call('PATCH', `/v1/customers/${customerId}`, { eInvoiceFormat: 'factur-x-en16931' });
    const pdfInvoice = await finalizedInvoice(customerId, [
      { description: 'Pro plan, February', quantity: '1', unitAmount: '4900', amount: 4900 },
    ]);
    await activityEnv.run(() => activities.emailInvoice({ invoiceId: pdfInvoice.id }));

    const attachments = await api.db
      .selectFrom('outbox_messages')
      .select(['subject', 'attachments'])
      .where(sql<boolean>`${'ap@widgets.test'} = any(to_addresses)`)
      .execute();
    const of = (invoice: { number: string }) =>
      attachments
        .find((m) => m.subject.includes(invoice.number))!
        .attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          bytes: a.content,
        }));
    const withXml = of(xmlInvoice);
    expect(withXml.map((a) => [a.filename, a.contentType])).toEqual([
      [`${xmlInvoice.number}.pdf`, 'application/pdf'],
      [`${xmlInvoice.number}.xml`, 'application/xml'],
    ]);
    expect(Buffer.from(withXml[1]!.bytes, 'base64').equals(stored.rawPayload)).toBe(true);

    const facturX = of(pdfInvoice);
    expect(facturX.map((a) => [a.filename, a.contentType])).toEqual([
      [`${pdfInvoice.number}.pdf`, 'application/pdf'],
    ]);
    const served = await api.request({
      method: 'GET',
      url: `/v1/invoices/${pdfInvoice.id}/e-invoice`,
    });
    expect(Buffer.from(facturX[0]!.bytes, 'base64').equals(served.rawPayload)).toBe(true);
    const out = mkdtempSync(join(dir, 'mail-'));
    writeFileSync(join(out, 'mail.pdf'), served.rawPayload);
    execFileSync('pdfdetach', ['-saveall', '-o', out, join(out, 'mail.pdf')]);
    expect(readdirSync(out)).toContain('factur-x.xml');
  });

  test('the credit-note email attaches the customer’s e-invoice too', async () => {
    const german = documents.find((d) => d.name === 'credit-note')!;
    await call('PATCH', `/v1/customers/${german.customerId}`, { eInvoiceFormat: 'peppol-ubl' });
    await activityEnv.run(() => activities.emailCreditNote({ creditNoteId: german.id }));
    const messages = await api.db
      .selectFrom('outbox_messages')
      .select(['attachments'])
      .where(sql<boolean>`${'rechnung@acme.test'} = any(to_addresses)`)
      .execute();
    const files = messages.flatMap((m) => m.attachments.map((a) => a.contentType));
    expect(files).toContain('application/xml');
  });
});
