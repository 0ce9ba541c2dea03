// `npm run provision`: build or locate the Temporal servers (dev server, test server and cluster)
// before the test suite, so the slow first-time work happens once, visibly, instead of inside a
// test's timeout.
import { cacheRoot } from '../infra/cache.ts';
import { ensureChromium } from '../infra/chromium.ts';
import { ensureEInvoiceValidator } from '../infra/einvoice-validator.ts';
import { ensureClusterBinaries } from '../infra/cluster/binaries.ts';
import { formatDuration, progress } from '../runtime/log.ts';
import { ensureStripeMock } from '../infra/stripe-mock.ts';
import { ensureTemporalCli } from '../infra/temporal-cli.ts';
import { ensureTimeSkippingTestServer } from '../infra/test-server.ts';

async function step(
  name: string,
  fn: () => Promise<string | undefined>,
  fallback: string,
): Promise<void> {
  const started = Date.now();
  const found = await fn();
  const took = formatDuration(Date.now() - started);
  progress(
    found ? `${name}: ${found} (${took})` : `${name}: not available here, ${fallback} (${took})`,
  );
}

try {
  progress(`provisioning into ${cacheRoot()}`);
  await step(
    'Temporal CLI',
    ensureTemporalCli,
    "tests will use the SDK's cached-download (needs Go to build locally)",
  );
  await step(
    'time-skipping test server',
    ensureTimeSkippingTestServer,
    "tests will use the SDK's cached-download (needs java and mvn to resolve locally)",
  );
  // test/cluster runs the production shape: Temporal server, temporal-sql-tool and UI server.
  await step(
    'Temporal cluster binaries',
    async () => Object.values(await ensureClusterBinaries()).join(', '),
    'the cluster test will fail',
  );
  // Online payment tests drive the real Stripe SDK against Stripe's own API stand-in.
  await step('stripe-mock', ensureStripeMock, 'the online payment tests will fail (needs Go)');
  // PDF tests print through the real Chromium and read the result with poppler-utils.
  await step('Chromium (PDF rendering)', ensureChromium, 'PDF tests will fail');
  // The e-invoice tests validate with the official EN 16931, XRechnung and Peppol rules.
  await step('e-invoice validator', ensureEInvoiceValidator, 'e-invoice tests will fail');
} catch (error) {
  progress(
    `provisioning failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
}
