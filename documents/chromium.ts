// The Chromium that prints invoices to PDF: Debian's package, unless the configuration names
// another (BILLWRIGHT_CHROMIUM_PATH, read in config/). Installing it is provisioning
// (infra/chromium.ts).
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';
