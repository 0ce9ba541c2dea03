// Document rendering throughput, for `npm run bench` (bench/run.ts prints the table): invoices per
// second as HTML (Handlebars, the built-in invoice template, a 12-line invoice with two tax rates)
// and as PDF through one warm Chromium with a few pages printing at once. Bounded: fixed counts,
// a warm-up first, best of three rounds. No database and no network.
import { createPdfRenderer } from '../documents/pdf.ts';
import { createDocumentRenderer } from '../documents/renderer.ts';
import { sampleInvoiceView } from '../test/support/sample-invoice.ts';
import { formatDuration, progress } from '../runtime/log.ts';
import { loadConfig } from '../config/index.ts';

export interface BenchRow {
  phase: string;
  measure: string;
  result: string;
  goal: string;
}

const LINES = 12;
const HTML_WARMUP = 200;
const HTML_COUNT = Number(process.env.BENCH_HTML_INVOICES ?? 2_000);
const PDF_WARMUP = 8;
const PDF_COUNT = Number(process.env.BENCH_PDF_INVOICES ?? 120);
const PDF_PAGES = 4;
const ROUNDS = 3;

const perSecond = (n: number, ms: number) => n / (ms / 1000);
const fmt = (n: number) => Math.round(n).toLocaleString('en');

export async function renderBench(): Promise<BenchRow[]> {
  const renderer = createDocumentRenderer();
  // Distinct invoices (numbers differ), as a billing run renders them.
  const views = Array.from({ length: 50 }, (_, i) =>
    sampleInvoiceView({ lines: LINES, number: `INV-2027-${String(i + 1).padStart(6, '0')}` }),
  );

  progress(`render: HTML, ${HTML_COUNT} invoices of ${LINES} lines, ${ROUNDS} rounds`);
  let bytes = 0;
  for (let i = 0; i < HTML_WARMUP; i++) bytes += renderer.renderInvoiceHtml(views[i % 50]!).length;
  const htmlRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < HTML_COUNT; i++) bytes += renderer.renderInvoiceHtml(views[i % 50]!).length;
    htmlRates.push(perSecond(HTML_COUNT, performance.now() - started));
    progress(`render: HTML round ${round + 1}/${ROUNDS}: ${fmt(htmlRates[round]!)} invoices/s`);
  }
  const htmlDocs = views.map((view) => renderer.renderInvoiceHtml(view));
  const htmlSize = Math.round(bytes / (HTML_WARMUP + ROUNDS * HTML_COUNT) / 1024);

  progress(`render: PDF, launching Chromium (${PDF_PAGES} pages)`);
  const launchStarted = performance.now();
  const pdf = await createPdfRenderer({
    executablePath: loadConfig().chromiumPath,
    maxPages: PDF_PAGES,
  });
  const launchMs = performance.now() - launchStarted;
  const pdfRates: number[] = [];
  let pdfBytes = 0;
  try {
    // Enough in flight to keep every page busy; the renderer queues the rest.
    const printAll = async (count: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: PDF_PAGES * 2 }, async () => {
          while (next < count) pdfBytes += (await pdf.render(htmlDocs[next++ % 50]!)).length;
        }),
      );
    };
    await printAll(PDF_WARMUP);
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      await printAll(PDF_COUNT);
      pdfRates.push(perSecond(PDF_COUNT, performance.now() - started));
      progress(
        `render: PDF round ${round + 1}/${ROUNDS}: ${pdfRates[round]!.toFixed(1)} invoices/s`,
      );
    }
    if (pdf.stats.launches !== 1)
      throw new Error(`expected one browser, launched ${pdf.stats.launches}`);
  } finally {
    await pdf.close();
  }
  const pdfSize = Math.round(pdfBytes / (PDF_WARMUP + ROUNDS * PDF_COUNT) / 1024);

  return [
    {
      phase: 'render',
      measure: `invoice HTML (Handlebars), ${LINES} lines, ~${htmlSize} KiB, ${HTML_COUNT} × ${ROUNDS} (best round)`,
      result: `${fmt(Math.max(...htmlRates))} invoices/s`,
      goal: '≥ 500 invoices/s',
    },
    {
      phase: 'render',
      measure: `invoice PDF from HTML, one warm Chromium, ${PDF_PAGES} pages, ~${pdfSize} KiB, ${PDF_COUNT} × ${ROUNDS} (best round)`,
      result: `${Math.max(...pdfRates).toFixed(1)} invoices/s`,
      goal: '≥ 20 invoices/s',
    },
    {
      phase: 'render',
      measure: 'Chromium launch (once per process)',
      result: formatDuration(launchMs),
      goal: '',
    },
  ];
}
