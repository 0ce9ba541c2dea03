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
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const MiB = 2 ** 20;

async function stat(pid: number): Promise<{ ppid: number; cpu: number; reaped: number } | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // Fields from 3 on (1-based in proc(5)): ppid is 4, utime 14, stime 15, cutime 16, cstime 17.
    const at = (n: number) => Number(fields[n - 3]);
    return { ppid: at(4), cpu: at(14) + at(15), reaped: at(16) + at(17) };
  } catch {
    return null; // gone
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const parents = await Promise.all(pids.map(async (p) => (await stat(p))?.ppid));
  return pids.filter((_, i) => parents[i] === pid);
}

/**
 * CPU ticks of a process so far; with children: its own, its reaped children's, and its live
 * children's (a backend that exits between two readings moves from the last to the second).
 */
async function cpuTicks(watched: WatchedProcess): Promise<number> {
  const own = await stat(watched.pid);
  if (!own) return 0;
  if (!watched.withChildren) return own.cpu;
  const children = await Promise.all((await childrenOf(watched.pid)).map(stat));
  return own.cpu + own.reaped + children.reduce((sum, c) => sum + (c?.cpu ?? 0), 0);
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

/** Reads CPU now and samples RSS every 100 ms; `stop()` gives each process's figures since. */
export async function watchProcesses(processes: WatchedProcess[]) {
  const before = await Promise.all(processes.map(cpuTicks));
  const rssAtStart = await Promise.all(processes.map((p) => rssBytes(p.pid)));
  const peaks = [...rssAtStart];
  let sampling = false;
  const timer = setInterval(() => {
    if (sampling) return;
    sampling = true;
    void Promise.all(processes.map((p) => rssBytes(p.pid)))
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
