// Every design renders every document type from the same view and the same partials: the
// design decides the frame (where the parts go), never the parts. Lines show their tax, the
// parties their country in the document's language; a design is chosen by the document (the
// customer's), else the brand; a void mark reaches the headline amount of every design; and one
// design per document type is printed by the real Chromium and read back with pdftotext.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import {
  DOCUMENT_DESIGNS,
  DOCUMENT_TYPES,
  type DocumentDesign,
  type DocumentType,
} from '../../documents/designs.ts';
import { createPdfRenderer, type PdfRenderer } from '../../documents/pdf.ts';
import { createDocumentRenderer } from '../../documents/renderer.ts';
import { renderSampleDocument, sampleInvoice } from '../../documents/sample-documents.ts';
import { markInvoiceDocument } from '../../documents/status-mark.ts';

const config = loadConfig({});
const issuer = { seller: config.seller, brand: config.brand };
const renderer = createDocumentRenderer({ brand: config.brand });
const render = (type: DocumentType, design: DocumentDesign, locale?: string) =>
  renderSampleDocument(renderer, issuer, type, design, locale ? { locale } : {});

/** The frame a design lays the parts in: its structural classes, in document order. */
const FRAME = new Set(
  ['sheet', 'masthead', 'parties', 'band', 'content', 'summary', 'top', 'issuer', 'strip'].concat(
    'headline',
  ),
);
function frameOf(html: string): string[] {
  return [...html.matchAll(/<(?:main|header|section|div) class="([^"]+)"/g)]
    .map((m) => m[1]!)
    .filter((c) => FRAME.has(c));
}

const EXPECTED_FRAME: Record<DocumentDesign, string[]> = {
  classic: ['sheet', 'masthead', 'parties'],
  modern: ['sheet', 'band', 'content', 'summary', 'headline'],
  compact: ['sheet', 'top', 'issuer', 'strip', 'headline'],
};

/** The first element `<tag class="cls">…</tag>` (not nested in its own kind). */
function part(html: string, tag: string, cls: string): string {
  const start = html.indexOf(`<${tag} class="${cls}">`);
  expect(start, `${tag}.${cls}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf(`</${tag}>`, start));
}

const text = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

describe('every design renders every document type', () => {
  for (const design of DOCUMENT_DESIGNS) {
    for (const type of DOCUMENT_TYPES) {
      it(`${design} ${type}`, () => {
        const html = render(type, design);
        expect(html.startsWith('<!doctype html>')).toBe(true);
        expect(html).toContain(`<body class="design-${design} document-${type}">`);
        expect(frameOf(html)).toEqual(EXPECTED_FRAME[design]);
        // The shared parts, once each: party, facts, lines, totals.
        for (const cls of ['bill-to', 'facts', 'lines', 'totals']) {
          expect(html.split(`class="${cls}"`).length - 1, cls).toBe(1);
        }
        expect(html.endsWith('</html>\n')).toBe(true);
      });
    }
  }

  it('lays out the very same line table and totals in every design', () => {
    for (const type of DOCUMENT_TYPES) {
      const [first, ...others] = DOCUMENT_DESIGNS.map((design) => render(type, design));
      for (const other of others) {
        expect(part(other, 'table', 'lines')).toBe(part(first!, 'table', 'lines'));
        expect(part(other, 'table', 'totals')).toBe(part(first!, 'table', 'totals'));
      }
    }
  });
});

describe('tax column and country names', () => {
  it('shows each line’s rate in the document’s locale, and both countries in its language', () => {
    for (const design of DOCUMENT_DESIGNS) {
      const german = render('invoice', design, 'de-DE');
      expect(german).toContain('<th scope="col" class="num tax">Steuer</th>');
      const rates = [...german.matchAll(/<td class="num tax">([^<]*)<\/td>/g)].map((m) => m[1]);
      expect(rates).toEqual(['19\u00a0%', '19\u00a0%', '19\u00a0%', '', '', '7\u00a0%']);
      expect(german).toContain('<div class="country">Deutschland</div>'); // the customer
      expect(german).toContain('<div class="country">Irland</div>'); // the seller (IE)
      const english = render('invoice', design, 'en-GB');
      expect(english).toContain('<div class="country">Germany</div>');
      expect(english).toContain('<div class="country">Ireland</div>');
      expect(english).toContain('<td class="num tax">19%</td>');
    }
  });

  it('shows the rate on every document that has lines', () => {
    for (const type of DOCUMENT_TYPES) {
      const html = render(type, 'classic', 'fr-FR');
      expect(html, type).toContain('<td class="num tax">7\u00a0%</td>');
      expect(html, type).toContain('Allemagne');
    }
  });

  it('names an untaxed line’s treatment instead of a rate', () => {
    const view = sampleInvoice(issuer);
    const treatments = ['reverse_charge', 'exempt_customer', 'outside_scope', 'not_registered'];
    view.lines = view.lines.map((line, i) => ({
      ...line,
      tax: { treatment: treatments[i]!, ratePercent: '0' },
    }));
    const cells = [
      ...renderer.renderInvoiceHtml(view).matchAll(/<td class="num tax">([^<]*)<\/td>/g),
    ].map((m) => m[1]);
    expect(cells.filter(Boolean)).toEqual(['Reverse charge', 'Exempt', 'Out of scope', 'No tax']);
  });

  it('has no tax column while no line is taxed (a draft)', () => {
    const view = sampleInvoice(issuer);
    view.lines = view.lines.map(({ tax: _tax, ...line }) => line);
    const html = renderer.renderInvoiceHtml(view);
    expect(html).not.toContain('class="num tax"');
  });
});

describe('choosing a design', () => {
  it('takes the document’s design, else the brand’s, else classic', () => {
    const view = sampleInvoice(issuer);
    const bodyOf = (html: string) => /<body class="([^"]+)"/.exec(html)![1];
    expect(bodyOf(renderer.renderInvoiceHtml(view))).toBe('design-classic document-invoice');
    const modernBrand = createDocumentRenderer({ brand: { documentDesign: 'modern' } });
    expect(bodyOf(modernBrand.renderInvoiceHtml(view))).toBe('design-modern document-invoice');
    expect(bodyOf(modernBrand.renderInvoiceHtml({ ...view, documentDesign: 'compact' }))).toBe(
      'design-compact document-invoice',
    );
    // A stored choice that names no design (removed since) falls back to the brand's.
    expect(bodyOf(modernBrand.renderInvoiceHtml({ ...view, documentDesign: 'gone' }))).toBe(
      'design-modern document-invoice',
    );
  });

  it('refuses an unknown brand design when the renderer is made', () => {
    expect(() => createDocumentRenderer({ brand: { documentDesign: 'fancy' } })).toThrow(
      /documentDesign must be one of classic, modern, compact/,
    );
    expect(() => loadConfig({ BILLWRIGHT_DOCUMENT_DESIGN: 'fancy' })).toThrow(
      /BILLWRIGHT_DOCUMENT_DESIGN/,
    );
    expect(loadConfig({ BILLWRIGHT_DOCUMENT_DESIGN: 'compact' }).brand.documentDesign).toBe(
      'compact',
    );
  });
});

describe('status marks', () => {
  it('replaces the amount due wherever a design shows it', () => {
    for (const design of DOCUMENT_DESIGNS) {
      const issued = render('invoice', design);
      const marked = markInvoiceDocument(issued, {
        status: 'void',
        at: new Date('2027-02-01T10:00:00Z'),
        amount: 0,
        currency: 'EUR',
        locale: 'en-GB',
        timezone: 'Europe/Berlin',
      });
      expect(text(marked), design).not.toMatch(/Amount due/);
      expect(text(marked), design).not.toMatch(/How to pay/);
      expect(text(marked), design).toContain('This invoice was voided on 1 February 2027');
      const headlines = design === 'classic' ? 0 : 1;
      expect(marked.split('Nothing is due</span>').length - 1, design).toBe(headlines);
    }
  });
});

describe('printed by the real Chromium', () => {
  let pdf: PdfRenderer;
  beforeAll(async () => {
    pdf = await createPdfRenderer({ executablePath: config.chromiumPath });
  });
  afterAll(async () => {
    await pdf?.close();
  });

  const printed: [DocumentType, DocumentDesign, RegExp][] = [
    ['invoice', 'modern', /RECHNUNG/], // the modern band's title is upper case, in German
    ['estimate', 'compact', /Kostenvoranschlag\s+est_sample/],
    ['receipt', 'classic', /Zahlungsbestätigung/],
    ['credit-note', 'modern', /GUTSCHRIFT/],
  ];
  for (const [type, design, title] of printed) {
    it(`prints the ${type} in ${design}`, async () => {
      const bytes = await pdf.render(render(type, design, 'de-DE'));
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      const words = execFileSync('pdftotext', ['-layout', '-', '-'], {
        input: bytes,
        encoding: 'utf8',
      });
      expect(words).toMatch(title);
      expect(words).toContain('Deutschland');
      expect(words).toMatch(/ 7\s?%/); // the handbook, on every one of them
      expect(words).toContain('Northwind Traders GmbH');
    });
  }
});
