// Where built or downloaded tools live. Outside the clone, so `git clean` and fresh CI clones on
// the same machine reuse them, and keyed by version so an upgrade never picks up a stale build.
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Root of the cache: `$BILLWRIGHT_CACHE_DIR`, else `~/.cache/billwright`. */
export function cacheRoot(): string {
  const override = process.env.BILLWRIGHT_CACHE_DIR;
  return override ? resolve(override) : join(homedir(), '.cache', 'billwright');
}

/** Path of the cache entry for one tool at one version, e.g. `temporal-cli-1.5.1` (not created). */
export function cachePath(tool: string, version: string): string {
  return join(cacheRoot(), `${tool}-${version}`);
}

/** Like {@link cachePath}, and makes sure the directory exists. */
export async function ensureCacheDir(tool: string, version: string): Promise<string> {
  const dir = cachePath(tool, version);
  await mkdir(dir, { recursive: true });
  return dir;
}
