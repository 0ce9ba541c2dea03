// Prints self-contained HTML documents (invoices) to PDF with headless Chromium. A process keeps
// ONE warm browser and a few reusable pages: launching costs ~0.5 s, a render on a warm page
// ~50 ms. Pages run no script and reach no network (every request but data: is aborted), so a
// document prints the same wherever and whenever it is printed. If the browser dies, the next
// render launches a new one; a render caught by the crash is retried once on it.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export interface PdfRendererOptions {
  /** Chromium to drive: the configuration's (config/, chromiumPath). */
  executablePath: string;
  /** Pages printing at once (default 4); further renders wait their turn. */
  maxPages?: number;
  /** Longest a single render may take (default 30 s). */
  timeoutMs?: number;
}

export interface PdfRenderer {
  /** A4 PDF of a complete HTML document, backgrounds printed, margins from its CSS @page. */
  render(html: string): Promise<Buffer>;
  /** Closes the browser; renders after this fail. */
  close(): Promise<void>;
  /** Counters for tests and benchmarks: browsers launched and documents rendered. */
  readonly stats: { launches: number; renders: number };
}

// Chromium's background services call Google; on a closed network they only produce refused
// connections and delays. --no-sandbox because CI runs as root (Chromium refuses otherwise).
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

interface Session {
  browser: Browser;
  context: BrowserContext;
  /** Pages not in use right now. */
  idle: Page[];
  dead: boolean;
}

export async function createPdfRenderer(options: PdfRendererOptions): Promise<PdfRenderer> {
  const { executablePath } = options;
  const maxPages = options.maxPages ?? 4;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const stats = { launches: 0, renders: 0 };
  let closed = false;
  let session: Promise<Session> | undefined;
  let current: Session | undefined;

  // A small semaphore: at most maxPages renders hold a page; the rest queue in order.
  let busy = 0;
  const waiting: (() => void)[] = [];
  async function acquireSlot(): Promise<void> {
    if (busy < maxPages) {
      busy++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  function releaseSlot(): void {
    const next = waiting.shift();
    if (next) next();
    else busy--;
  }

  async function launch(): Promise<Session> {
    stats.launches++;
    const browser = await chromium.launch({
      executablePath,
      args: CHROMIUM_ARGS,
      timeout: timeoutMs,
    });
    try {
      const context = await browser.newContext({ javaScriptEnabled: false });
      await context.route('**/*', (route) =>
        route.request().url().startsWith('data:')
          ? route.continue()
          : route.abort('blockedbyclient'),
      );
      const launched: Session = { browser, context, idle: [], dead: false };
      browser.on('disconnected', () => {
        launched.dead = true;
      });
      return launched;
    } catch (error) {
      await browser.close().catch(() => {});
      throw error;
    }
  }

  /**
   * The live session, launching one when there is none or the last one died. Synchronous up to
   * the launch, so renders that find the browser dead together share one relaunch.
   */
  function live(): Promise<Session> {
    if (closed) return Promise.reject(new Error('the PDF renderer is closed'));
    const gone = current && (current.dead || !current.browser.isConnected());
    if (session && !gone) return session;
    if (current) void current.browser.close().catch(() => {});
    current = undefined;
    const launching = launch().then((s) => (current = s));
    session = launching;
    // A failed launch is not kept: the next render tries again.
    launching.catch(() => {
      if (session === launching) session = undefined;
    });
    return launching;
  }

  async function renderOn(on: Session, html: string): Promise<Buffer> {
    const page = on.idle.pop() ?? (await on.context.newPage());
    let reusable = false;
    try {
      page.setDefaultTimeout(timeoutMs);
      await page.setContent(html, { waitUntil: 'load' });
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        preferCSSPageSize: true,
      });
      reusable = true;
      return pdf;
    } finally {
      if (reusable && !on.dead) on.idle.push(page);
      else await page.close().catch(() => {});
    }
  }

  const renderer: PdfRenderer = {
    stats,
    async render(html) {
      await acquireSlot();
      try {
        const used = await live();
        try {
          const pdf = await renderOn(used, html);
          stats.renders++;
          return pdf;
        } catch (error) {
          // Only a crash earns a retry: a document that fails on a healthy browser fails again.
          if (closed || (!used.dead && used.browser.isConnected())) throw error;
          const pdf = await renderOn(await live(), html);
          stats.renders++;
          return pdf;
        }
      } finally {
        releaseSlot();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      const last = await session?.catch(() => undefined);
      session = undefined;
      current = undefined;
      if (last) {
        last.dead = true;
        await last.browser.close().catch(() => {});
      }
    },
  };
  // Launch now: the first invoice should not wait for the browser, and a missing Chromium
  // should fail here, where it is configured, rather than in a render.
  await live();
  return renderer;
}
