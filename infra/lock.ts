// A cross-process lock on a cache entry, so that two processes starting cold at once (vitest
// workers, provision and a dev script) do not both spend minutes building the same tool.
// mkdir is atomic; the owner's pid inside lets us break locks left behind by killed processes.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { formatDuration, progress } from '../runtime/log.ts';

const POLL_MS = 250;
// A lock directory without an owner file is being created right now, unless it is this old.
const OWNERLESS_GRACE_MS = 10_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(lockDir: string): Promise<{ stale: boolean; owner?: number }> {
  try {
    const owner = Number((await readFile(join(lockDir, 'owner'), 'utf8')).trim());
    return { stale: !Number.isInteger(owner) || !isAlive(owner), owner };
  } catch {
    try {
      const age = Date.now() - (await stat(lockDir)).mtimeMs;
      return { stale: age > OWNERLESS_GRACE_MS };
    } catch {
      return { stale: false }; // vanished meanwhile: just retry
    }
  }
}

/** Run `fn` while holding `lockDir` (its parent must exist). Waits up to `timeoutMs` for others. */
export async function withLock<T>(
  lockDir: string,
  what: string,
  fn: () => Promise<T>,
  timeoutMs = 30 * 60_000,
): Promise<T> {
  const started = Date.now();
  let lastNotice = 0;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const { stale, owner } = await isStale(lockDir);
    if (stale) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    const waited = Date.now() - started;
    if (waited > timeoutMs) {
      throw new Error(
        `timed out after ${formatDuration(waited)} waiting for the lock ${lockDir} (${what}, held by pid ${owner ?? '?'})`,
      );
    }
    if (Date.now() - lastNotice > 30_000) {
      progress(`waiting for another process (pid ${owner ?? '?'}) that is ${what}…`);
      lastNotice = Date.now();
    }
    await delay(POLL_MS);
  }
  try {
    await writeFile(join(lockDir, 'owner'), `${process.pid}\n`);
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
