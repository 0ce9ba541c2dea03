// Driving the Temporal Web UI (2.42) with the Debian Chromium through playwright-core: the
// browser test (test/e2e/temporal-ui.test.ts) and the finance guide's screenshots
// (scripts/finance-screenshots.ts) share these. The UI reads a visibility query from the list's
// `query` URL parameter, so a filter is a link finance can bookmark.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { loadConfig } from '../../config/index.ts';

// As documents/pdf.ts: no background calls to Google on a closed network; root needs no sandbox.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface UiBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** A fresh browser profile (deleted on close) and one page of 1280×800. */
export async function openUiBrowser(
  options: { timeoutMs?: number; viewport?: { width: number; height: number } } = {},
): Promise<UiBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'billwright-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: loadConfig().chromiumPath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1280, height: 800 },
      timeout: 30_000,
      timezoneId: 'UTC',
      locale: 'en-GB',
    });
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(options.timeoutMs ?? 10_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The namespace's workflow list, filtered by a visibility query (list filter syntax). */
export function workflowListUrl(uiUrl: string, namespace: string, query: string): string {
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(query)}`;
}

/** The list's rows: one per workflow, each with a link to the workflow's history. */
export function workflowRows(page: Page) {
  return page.locator('tr', { has: page.locator('a[href*="/workflows/"]') });
}

/** The history page's event table rows (the "All" view). */
export function eventRows(page: Page) {
  return page.locator('tr[data-testid="event-summary-row"]');
}

/** Lets fonts, icons and the UI's transitions finish before a screenshot. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate('document.fonts.ready');
  await page.waitForLoadState('networkidle').catch(() => undefined);
}
