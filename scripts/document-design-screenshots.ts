// Regenerates the screenshots of docs/FINANCE.md's "Document designs" from the real templates:
//
//   node scripts/document-design-screenshots.ts
//
// Renders the sample invoice (documents/sample-documents.ts) in every design with the demo
// seller and brand, and has Chromium (the one that prints PDFs) photograph each page at 900 px
// wide into docs/images/design-<name>.png. Needs no database, Temporal or API.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { loadConfig } from '../config/index.ts';
import { DOCUMENT_DESIGNS } from '../documents/designs.ts';
import { createDocumentRenderer } from '../documents/renderer.ts';
import { renderSampleDocument } from '../documents/sample-documents.ts';

const IMAGES = fileURLToPath(new URL('../docs/images/', import.meta.url));

const config = loadConfig({});
const renderer = createDocumentRenderer({ brand: config.brand });
const browser = await chromium.launch({
  executablePath: config.chromiumPath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
  for (const design of DOCUMENT_DESIGNS) {
    const html = renderSampleDocument(renderer, config, 'invoice', design);
    await page.setContent(html, { waitUntil: 'load' });
    const path = `${IMAGES}design-${design}.png`;
    await writeFile(path, await page.screenshot({ fullPage: true }));
    console.log(`wrote ${path}`);
  }
} finally {
  await browser.close();
}
