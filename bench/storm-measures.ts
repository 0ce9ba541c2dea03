// What the renewal storm measures besides time (bench/storm.ts): RSS peak and CPU seconds of
// every process the bench started, read from /proc, and Temporal history events per renewal.
import { readFile, readdir } from 'node:fs/promises';
import type { Client } from '@temporalio/client';

/** A process the storm watches, under the name its table row uses. */
export interface WatchedProcess {
  label: string;
  pid: number;
  /** Count the CPU of its children too (PostgreSQL: the postmaster and its backends). */
  withChildren?: boolean;
  /**
   * Not one process but every Chromium process under these (the workers' PDF printers: the
   * browser and its renderers, launched on the first PDF); `pid` is unused.
   */
  chromiumUnder?: number[];
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const MiB = 2 ** 20;

interface Stat {
  pid: number;
  name: string;
  ppid: number;
  cpu: number;
  reaped: number;
}

async function stat(pid: number): Promise<Stat | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // Fields from 3 on (1-based in proc(5)): ppid is 4, utime 14, stime 15, cutime 16, cstime 17.
    const at = (n: number) => Number(fields[n - 3]);
    return { pid, name, ppid: at(4), cpu: at(14) + at(15), reaped: at(16) + at(17) };
  } catch {
    return null; // gone
  }
}

async function allProcesses(): Promise<Stat[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  return (await Promise.all(pids.map(stat))).filter((s): s is Stat => s !== null);
}

async function childrenOf(pid: number): Promise<number[]> {
  return (await allProcesses()).filter((p) => p.ppid === pid).map((p) => p.pid);
}

/** Chromium's processes (browser, zygotes, renderers) descending from any of `roots`. */
async function chromiumUnder(roots: number[]): Promise<Stat[]> {
  const all = await allProcesses();
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const under = (p: Stat): boolean => {
    for (let at = byPid.get(p.ppid); at; at = byPid.get(at.ppid)) {
      if (roots.includes(at.pid)) return true;
    }
    return false;
  };
  return all.filter((p) => /chrom|headless_shell/i.test(p.name) && under(p));
}

/**
 * CPU ticks of a process so far; with children: its own, its reaped children's, and its live
 * children's (a backend that exits between two readings moves from the last to the second).
 */
async function cpuTicks(watched: WatchedProcess): Promise<number> {
  if (watched.chromiumUnder) {
    return (await chromiumUnder(watched.chromiumUnder)).reduce((sum, p) => sum + p.cpu, 0);
  }
  const own = await stat(watched.pid);
  if (!own) return 0;
  if (!watched.withChildren) return own.cpu;
  const children = await Promise.all((await childrenOf(watched.pid)).map(stat));
  return own.cpu + own.reaped + children.reduce((sum, c) => sum + (c?.cpu ?? 0), 0);
}

async function rssOf(watched: WatchedProcess): Promise<number> {
  if (!watched.chromiumUnder) return rssBytes(watched.pid);
  const sizes = await Promise.all(
    (await chromiumUnder(watched.chromiumUnder)).map((p) => rssBytes(p.pid)),
  );
  return sizes.reduce((sum, bytes) => sum + bytes, 0);
}

async function rssBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kib ? Number(kib) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface ProcessFigures {
  label: string;
  cpuSeconds: number;
  rssPeak: number;
  rssAtStart: number;
}

/**
 * Reads CPU now and samples RSS every 100 ms (Chromium's, a walk of /proc, every second);
 * `stop()` gives each process's figures since. Chromium's CPU counts its processes alive at
 * either reading: pages are reused, so its renderers live through the storm.
 */
export async function watchProcesses(processes: WatchedProcess[]) {
  const before = await Promise.all(processes.map(cpuTicks));
  const rssAtStart = await Promise.all(processes.map(rssOf));
  const peaks = [...rssAtStart];
  let sampling = false;
  let samples = 0;
  const timer = setInterval(() => {
    if (sampling) return;
    sampling = true;
    const walk = samples++ % 10 === 0;
    void Promise.all(
      processes.map((p) => (p.chromiumUnder && !walk ? Promise.resolve(0) : rssOf(p))),
    )
      .then((now) => now.forEach((bytes, i) => (peaks[i] = Math.max(peaks[i]!, bytes))))
      .finally(() => (sampling = false));
  }, 100);
  return {
    async stop(): Promise<ProcessFigures[]> {
      clearInterval(timer);
      const after = await Promise.all(processes.map(cpuTicks));
      return processes.map((p, i) => ({
        label: p.label,
        cpuSeconds: (after[i]! - before[i]!) / TICKS_PER_SECOND,
        rssPeak: peaks[i]!,
        rssAtStart: rssAtStart[i]!,
      }));
    },
  };
}

export const mib = (bytes: number) => `${Math.round(bytes / MiB)} MiB`;

/** Histories read per workflow type: enough for a mean, few enough for a big storm. */
const HISTORY_SAMPLE = 10;

/**
 * Temporal history events per renewal: every workflow the storm started (visibility, started at
 * or after `since`), by type; each type's mean history length from a sample, times its count,
 * over the renewals. Subscription workflows are still open (waiting on the next period).
 */
export async function historyEventsPerRenewal(
  client: Client,
  since: Date,
  renewals: number,
): Promise<{ perRenewal: number; workflows: Record<string, number> }> {
  const byType = new Map<string, string[]>();
  for await (const execution of client.workflow.list({
    query: `StartTime >= '${since.toISOString()}'`,
  })) {
    const ids = byType.get(execution.type) ?? [];
    ids.push(execution.workflowId);
    byType.set(execution.type, ids);
  }
  let events = 0;
  const workflows: Record<string, number> = {};
  for (const [type, ids] of byType) {
    workflows[type] = ids.length;
    const sample = ids.slice(0, HISTORY_SAMPLE);
    const lengths = await Promise.all(
      sample.map(
        async (id) => (await client.workflow.getHandle(id).fetchHistory()).events?.length ?? 0,
      ),
    );
    events += (lengths.reduce((a, b) => a + b, 0) / sample.length) * ids.length;
  }
  return { perRenewal: events / renewals, workflows };
}
