// The Chromium that prints invoices to PDF: Debian's package, unless an operator names another.
// (Installing it is provisioning: infra/chromium.ts.)

export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** The Chromium an operator chose: `BILLWRIGHT_CHROMIUM_PATH`, else `CHROMIUM_PATH`. */
export function chromiumOverride(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.BILLWRIGHT_CHROMIUM_PATH || env.CHROMIUM_PATH || undefined;
}

/** Where to find Chromium without installing anything: the override, else Debian's path. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return chromiumOverride(env) ?? DEBIAN_CHROMIUM;
}
