// Invoices printed to PDF by the real Chromium (provisioned by `npm run provision`), read back
// with poppler's pdftotext, and page 1 rendered to PNG with pdftoppm for a person to look at:
// test-output/documents/invoice-multi-line-1.png and invoice-usage-1.png (a line's arithmetic).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPdfRenderer, type PdfRenderer } from '../../documents/pdf.ts';
import { createDocumentRenderer } from '../../documents/renderer.ts';
import { sampleInvoiceView } from '../support/sample-invoice.ts';
import { usageInvoice } from '../support/document-views.ts';
import { loadConfig } from '../../config/index.ts';

const OUTPUT = join(import.meta.dirname, '..', '..', 'test-output', 'documents');
const html = createDocumentRenderer().renderInvoiceHtml(sampleInvoiceView({ lines: 12 }));

let pdf: PdfRenderer;
beforeAll(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  pdf = await createPdfRenderer({ executablePath: loadConfig().chromiumPath });
});
afterAll(async () => {
  await pdf?.close();
});

function pdfToText(file: string): string {
  // -layout keeps each table row on one line, so a label and its amount can be matched together.
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** Page 1 as OUTPUT/<name>-1.png: 100 dpi is enough to judge the layout. */
function pageOneAsPng(file: string, name: string): void {
  execFileSync('pdftoppm', ['-png', '-r', '100', '-f', '1', '-l', '1', file, join(OUTPUT, name)]);
}

/** Our Chromium processes: children of this process whose command is chromium. */
function chromiumChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && /chrom/i.test(comm)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

describe('PDF rendering', () => {
  it('prints a multi-line invoice on A4 with its number, lines, tax lines and totals', async () => {
    const bytes = await pdf.render(html);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const file = join(OUTPUT, 'invoice-multi-line.pdf');
    writeFileSync(file, bytes);

    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Page size:.*\(A4\)/);

    const text = pdfToText(file);
    expect(text).toContain('INV-2027-000042');
    expect(text).toContain('Northwind Traders GmbH');
    expect(text).toContain('Additional seats');
    expect(text).toContain('API requests (workspace 2)'); // line 12
    // The sample's usage lines show their arithmetic: tiers after free units, a cap.
    expect(text).toMatch(/API requests\s+2,350,000\s+€104\.00/);
    expect(text).toContain('3,350,000 used, 1,000,000 free');
    expect(text).toMatch(/first 1,000,000\s+1,000,000\s+€0\.00005\s+€50\.00/);
    expect(text).toMatch(/Storage, GB-month\s+412\.5\s+€0\.02\s+€8\.25/);
    expect(text).toContain('capped at €8.00');
    expect(text).toMatch(/Subtotal\s+€717\.85/);
    expect(text).toMatch(/VAT 20\s*% \(FR\) on €567\.85\s+€113\.57/);
    expect(text).toMatch(/VAT 10\s*% \(FR\) on €150\.00\s+€15\.00/);
    expect(text).toMatch(/Total\s+€846\.42/);
    expect(text).toMatch(/Amount due\s+€846\.42/);
    // The table header repeats on the second page.
    expect(text.match(/DESCRIPTION\s+QTY\s+UNIT PRICE\s+AMOUNT/g)).toHaveLength(2);

    // Page 1 as a picture, for the eye (and the report).
    pageOneAsPng(file, 'invoice-multi-line');
    const png = readdirSync(OUTPUT).find((f) => /^invoice-multi-line-0*1\.png$/.test(f));
    expect(png).toBeDefined();
  });

  it('prints each line’s arithmetic: exact unit prices, free units, parts, proration, cap', async () => {
    const file = join(OUTPUT, 'invoice-usage.pdf');
    writeFileSync(
      file,
      await pdf.render(createDocumentRenderer().renderInvoiceHtml(usageInvoice('en-IE'))),
    );
    const text = pdfToText(file);
    expect(text).toMatch(/Pro plan\s+1\s+€49\.00\s+€33\.25/);
    expect(text).toContain('prorated 19/28');
    expect(text).toMatch(/API calls\s+1,200\s+€0\.01\s+€8\.00/);
    expect(text).toContain('capped at €8.00');
    expect(text).toMatch(/SMS\s+210\s+€0\.045\s+€9\.45/);
    expect(text).toContain('260 used, 50 free');
    expect(text).toMatch(/Storage\s+12\.5\s+€13\.50/);
    expect(text).toMatch(/first 10 GB\s+10\s+€1\.00\s+€10\.00/);
    expect(text).toMatch(/above 10 GB\s+2\.5\s+€0\.80\s+€2\.00/);
    expect(text).toMatch(/flat fee \(tier 2\)\s+€1\.50/);
    expect(text).toMatch(/Total\s+€77\.04/);
    pageOneAsPng(file, 'invoice-usage');
  });

  it('reuses one browser for 20 renders, 5 at a time', async () => {
    const launches = pdf.stats.launches;
    const renders = pdf.stats.renders;
    const batches = Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => html));
    for (const batch of batches) {
      const results = await Promise.all(batch.map((doc) => pdf.render(doc)));
      for (const result of results) expect(result.subarray(0, 5).toString()).toBe('%PDF-');
    }
    expect(pdf.stats.renders - renders).toBe(20);
    expect(pdf.stats.launches).toBe(launches);
    expect(pdf.stats.launches).toBe(1);
  });

  it('relaunches the browser once when it dies, and renders on', async () => {
    const before = pdf.stats.launches;
    const children = chromiumChildren();
    expect(children.length).toBeGreaterThan(0);
    for (const pid of children) process.kill(pid, 'SIGKILL');
    const results = await Promise.all([pdf.render(html), pdf.render(html)]);
    for (const result of results) expect(result.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.stats.launches).toBe(before + 1);
  });

  describe('network', () => {
    let server: Server;
    let hits = 0;
    beforeAll(async () => {
      server = createServer((_request, response) => {
        hits++;
        response.end('x');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('never leaves the page: remote images, fonts and styles are not fetched', async () => {
      const { port } = server.address() as AddressInfo;
      const base = `http://127.0.0.1:${port}`;
      const hostile = html
        .replace(
          '</head>',
          `<link rel="stylesheet" href="${base}/style.css">
<style>@font-face { font-family: X; src: url(${base}/font.woff2); } body { font-family: X, sans-serif; }</style>
</head>`,
        )
        .replace(
          '<main',
          `<img src="${base}/pixel.png" alt=""><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt=""><main`,
        );
      const bytes = await pdf.render(hostile);
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      expect(hits).toBe(0);
    });
  });
});
