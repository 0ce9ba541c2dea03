// Regenerates the screenshots of the customer portal in docs/PORTAL.md:
//
//   node scripts/portal-screenshots.ts
//
// Runs the portal's browser test (test/api/portal-page.test.ts: a French customer billed two
// months on a test clock by the real subscription workflow, signed in through the magic link
// read from the outbox) with BILLWRIGHT_PORTAL_SCREENSHOTS set, so the test photographs the
// overview, the invoices page and the billing-details form (refused, then saved) in Chromium as
// it checks them. Writes full-page PNGs to docs/images/portal-*.png.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const IMAGES = fileURLToPath(new URL('../docs/images/', import.meta.url));

const run = spawnSync('npx', ['vitest', 'run', 'test/api/portal-page.test.ts'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, BILLWRIGHT_PORTAL_SCREENSHOTS: IMAGES },
});
process.exit(run.status ?? 1);
