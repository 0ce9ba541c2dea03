// Chromium prints invoices to PDF; poppler-utils (pdftotext, pdftoppm) lets the tests read what it
// printed. No browser downloads are reachable here (only package registries), so both come from
// Debian's packages, with the Noto fonts so that every script on an invoice has glyphs.
import { setTimeout as delay } from 'node:timers/promises';
import { chromiumOverride } from '../config/index.ts';
import { DEBIAN_CHROMIUM } from '../documents/chromium.ts';
import { formatDuration, progress } from '../runtime/log.ts';
import { run } from './process.ts';
import { findOnPath, isExecutableFile } from './which.ts';

const DEBIAN_PACKAGES = ['chromium', 'poppler-utils', 'fonts-noto-core', 'fonts-noto-cjk'] as const;
const HEARTBEAT_MS = 30_000;

/**
 * Path of a Chromium to print with, installing Debian's packages (with poppler-utils and fonts)
 * when they are missing and we are root. Not root and missing: an error naming what to install.
 */
export async function ensureChromium(): Promise<string> {
  const override = chromiumOverride(process.env);
  if (override) {
    if (!(await isExecutableFile(override))) {
      throw new Error(
        `${process.env.BILLWRIGHT_CHROMIUM_PATH ? 'BILLWRIGHT_CHROMIUM_PATH' : 'CHROMIUM_PATH'}=${override} is not an executable file`,
      );
    }
    return override;
  }
  const missing = await missingPackages();
  if (missing.length === 0) return DEBIAN_CHROMIUM;

  const install = `apt-get install -y --no-install-recommends ${DEBIAN_PACKAGES.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `PDF rendering needs Chromium and poppler-utils (missing: ${missing.join(', ')}). ` +
        `Install them as root: apt-get update && ${install} ` +
        '(or point BILLWRIGHT_CHROMIUM_PATH at a Chromium and put pdftotext and pdftoppm on the PATH).',
    );
  }
  await aptInstall(missing);
  const stillMissing = await missingPackages();
  if (stillMissing.length > 0) {
    throw new Error(
      `apt-get finished but ${stillMissing.join(', ')} is still missing: run ${install}`,
    );
  }
  return DEBIAN_CHROMIUM;
}

/** What the check looks for: the browser and the two poppler tools the tests use. */
async function missingPackages(): Promise<string[]> {
  const missing: string[] = [];
  if (!(await isExecutableFile(DEBIAN_CHROMIUM))) missing.push('chromium');
  if (!(await findOnPath('pdftotext')) || !(await findOnPath('pdftoppm')))
    missing.push('poppler-utils');
  return missing;
}

async function aptInstall(missing: string[]): Promise<void> {
  progress(
    `installing ${missing.join(' and ')} from Debian's packages (with Noto fonts; first time only, a few minutes)…`,
  );
  const started = Date.now();
  const heartbeat = setInterval(() => {
    progress(`  still installing… ${formatDuration(Date.now() - started)} so far`);
  }, HEARTBEAT_MS);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // apt's own progress lines, thinned to the ones that say what it is doing.
  const onLine = (line: string) => {
    if (/^(Get:|Setting up|Unpacking|E:|W:)/.test(line)) progress(`  ${line.trim()}`);
  };
  try {
    await aptGet(['update'], env, onLine);
    await aptGet(['install', '-y', '--no-install-recommends', ...DEBIAN_PACKAGES], env, onLine);
  } finally {
    clearInterval(heartbeat);
  }
  progress(`installed Chromium and poppler-utils in ${formatDuration(Date.now() - started)}`);
}

/** apt-get, retried a few times while another apt or dpkg holds its lock. */
async function aptGet(
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const result = await run('apt-get', args, { env, onLine });
    if (result.code === 0) return;
    const locked = /Could not get lock|Unable to lock/.test(result.output);
    if (!locked || attempt === 10) {
      const tail = result.output.trimEnd().split('\n').slice(-20).join('\n');
      throw new Error(`\`apt-get ${args.join(' ')}\` failed (exit ${result.code})\n${tail}`);
    }
    progress(`  apt is busy (another install holds its lock); retrying in 10 s`);
    await delay(10_000);
  }
}
