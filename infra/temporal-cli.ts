// The `temporal` CLI runs the dev server. There are no release downloads here (only package
// registries are reachable), so when it is not installed we build it from the Go module proxy.
import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureCacheDir } from './cache.ts';
import { withLock } from './lock.ts';
import { formatDuration, progress } from '../runtime/log.ts';
import { runChecked } from './process.ts';
import { findOnPath, isExecutableFile } from './which.ts';

export const TEMPORAL_CLI_VERSION = '1.5.1';
const MODULE = 'github.com/temporalio/cli/cmd/temporal';
const HEARTBEAT_MS = 30_000;

/**
 * Path of a `temporal` CLI: `$TEMPORAL_CLI_PATH`, else `temporal` on the PATH, else the cached
 * build, else a fresh build with `go install`. Undefined only when Go is missing, so the caller
 * can fall back to the SDK's own download.
 */
export async function ensureTemporalCli(): Promise<string | undefined> {
  const override = process.env.TEMPORAL_CLI_PATH;
  if (override) {
    if (!(await isExecutableFile(override))) {
      throw new Error(`TEMPORAL_CLI_PATH=${override} is not an executable file`);
    }
    return override;
  }
  const onPath = await findOnPath('temporal');
  if (onPath) return onPath;

  const dir = await ensureCacheDir('temporal-cli', TEMPORAL_CLI_VERSION);
  const binary = join(dir, 'temporal');
  if (await isExecutableFile(binary)) return binary;

  const go = await findOnPath('go');
  if (!go) return undefined;
  return await withLock(
    join(dir, '.lock'),
    `building Temporal CLI v${TEMPORAL_CLI_VERSION}`,
    async () => {
      // Another process may have finished the build while we waited for the lock.
      if (await isExecutableFile(binary)) return binary;
      await build(go, dir, binary);
      return binary;
    },
  );
}

async function build(go: string, dir: string, binary: string): Promise<void> {
  progress(
    `building Temporal CLI v${TEMPORAL_CLI_VERSION} from the Go module proxy (first time only, several minutes)…`,
  );
  const started = Date.now();
  // Scratch dirs of builds that were killed (we hold the lock, so none is in use).
  for (const name of await readdir(dir)) {
    if (name.startsWith('.build-')) await rm(join(dir, name), { recursive: true, force: true });
  }
  // GOBIN points at a scratch dir next to the final path: a killed build leaves no half binary
  // where we look, and the final rename is atomic (same file system).
  const scratch = await mkdtemp(join(dir, '.build-'));
  // `go install` is silent while compiling; a heartbeat shows CI that we are alive.
  const heartbeat = setInterval(() => {
    progress(`  still building Temporal CLI… ${formatDuration(Date.now() - started)} so far`);
  }, HEARTBEAT_MS);
  try {
    await runChecked(go, ['install', `${MODULE}@v${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: scratch },
      onLine: (line) => {
        if (line.trim()) progress(`  ${line}`);
      },
    });
    await rename(join(scratch, 'temporal'), binary);
  } finally {
    clearInterval(heartbeat);
    await rm(scratch, { recursive: true, force: true });
  }
  progress(
    `built Temporal CLI v${TEMPORAL_CLI_VERSION} in ${formatDuration(Date.now() - started)}: ${binary}`,
  );
}
