// Tools built from the Go module proxy on first use (the only way to get Temporal's binaries
// here: no release downloads), cached per version under infra/cache.ts's root.
import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureCacheDir } from './cache.ts';
import { withLock } from './lock.ts';
import { formatDuration, progress } from '../runtime/log.ts';
import { runChecked } from './process.ts';
import { findOnPath, isExecutableFile } from './which.ts';

const HEARTBEAT_MS = 30_000;

export interface GoTool {
  /** For progress lines: "Temporal CLI". */
  label: string;
  /** Cache entry name, without the version: "temporal-cli". */
  cacheName: string;
  /** Without the leading v. */
  version: string;
  /** Package path of the main package: "github.com/temporalio/cli/cmd/temporal". */
  module: string;
  /** Name `go install` gives the binary (the last path element of the package). */
  installs: string;
  /** Name of the binary in the cache entry. */
  binary: string;
}

/**
 * Path of the cached build of `tool`, built with `go install` on first use (under a lock, so
 * concurrent callers build once). Undefined only when Go is missing.
 */
export async function ensureGoTool(tool: GoTool): Promise<string | undefined> {
  const dir = await ensureCacheDir(tool.cacheName, tool.version);
  const binary = join(dir, tool.binary);
  if (await isExecutableFile(binary)) return binary;

  const go = await findOnPath('go');
  if (!go) return undefined;
  return await withLock(join(dir, '.lock'), `building ${tool.label} v${tool.version}`, async () => {
    // Another process may have finished the build while we waited for the lock.
    if (await isExecutableFile(binary)) return binary;
    await build(go, tool, dir, binary);
    return binary;
  });
}

async function build(go: string, tool: GoTool, dir: string, binary: string): Promise<void> {
  const name = `${tool.label} v${tool.version}`;
  progress(`building ${name} from the Go module proxy (first time only, several minutes)…`);
  const started = Date.now();
  // Scratch dirs of builds that were killed (we hold the lock, so none is in use).
  for (const entry of await readdir(dir)) {
    if (entry.startsWith('.build-')) await rm(join(dir, entry), { recursive: true, force: true });
  }
  // GOBIN points at a scratch dir next to the final path: a killed build leaves no half binary
  // where we look, and the final rename is atomic (same file system). One GOBIN per tool also
  // keeps apart tools that install under the same name (Temporal's and the UI's `server`).
  const scratch = await mkdtemp(join(dir, '.build-'));
  // `go install` is silent while compiling; a heartbeat shows CI that we are alive.
  const heartbeat = setInterval(() => {
    progress(`  still building ${tool.label}… ${formatDuration(Date.now() - started)} so far`);
  }, HEARTBEAT_MS);
  try {
    await runChecked(go, ['install', `${tool.module}@v${tool.version}`], {
      env: { ...process.env, GOBIN: scratch },
      onLine: (line) => {
        if (line.trim()) progress(`  ${line}`);
      },
    });
    await rename(join(scratch, tool.installs), binary);
  } finally {
    clearInterval(heartbeat);
    await rm(scratch, { recursive: true, force: true });
  }
  progress(`built ${name} in ${formatDuration(Date.now() - started)}: ${binary}`);
}
