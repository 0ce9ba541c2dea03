// stripe-mock, Stripe's own stand-in for its API (OpenAPI-driven, answers every endpoint with
// fixture data), for the payment tests. Built from the Go module proxy like the Temporal CLI.
import { ensureGoTool } from './go-install.ts';
import { isExecutableFile } from './which.ts';

export const STRIPE_MOCK_VERSION = '0.203.0';

/**
 * Path of a `stripe-mock`: `$STRIPE_MOCK_PATH`, else the cached build, else a fresh build with
 * `go install`. Undefined only when Go is missing.
 */
export async function ensureStripeMock(): Promise<string | undefined> {
  const override = process.env.STRIPE_MOCK_PATH;
  if (override) {
    if (!(await isExecutableFile(override))) {
      throw new Error(`STRIPE_MOCK_PATH=${override} is not an executable file`);
    }
    return override;
  }
  return await ensureGoTool({
    label: 'stripe-mock',
    cacheName: 'stripe-mock',
    version: STRIPE_MOCK_VERSION,
    module: 'github.com/stripe/stripe-mock',
    installs: 'stripe-mock',
    binary: 'stripe-mock',
  });
}
