// The renewal storm's rows for `npm run bench` (bench/storm.ts); the columns are described in
// docs/BENCHMARKS.md.
import { formatDuration } from '../runtime/log.ts';
import type { BenchRow } from './render.ts';
import { mib, type ProcessFigures } from './storm-measures.ts';
import type { StormSettings } from './storm-targets.ts';

export interface SideResult {
  perSecond: number;
  drainMs: number;
  rssPeak: number;
  rssBaseline: number;
}

export interface StormResult extends SideResult {
  pdfs: number;
  collections: number;
  processes: ProcessFigures[];
  history: { perRenewal: number; workflows: Record<string, number> };
}

export function stormRows(
  n: number,
  where: string,
  settings: StormSettings,
  storm: StormResult,
  top: SideResult,
): BenchRow[] {
  const row = (measure: string, result: string, goal = ''): BenchRow => ({
    phase: 'storm',
    measure,
    result,
    goal,
  });
  const pdf = settings.emailPdf === 'attach' ? 'PDF attached' : 'PDF linked';
  const collections = settings.collections ? 'collections on' : 'collections off';
  const cpuOf = (match: (label: string) => boolean) =>
    storm.processes.filter((p) => match(p.label)).reduce((sum, p) => sum + p.cpuSeconds, 0);
  const workers = storm.processes.filter((p) => p.label.startsWith('worker'));
  const perRenewal = (seconds: number) => `${((seconds / n) * 1000).toFixed(1)} ms`;
  const workflows = Object.entries(storm.history.workflows)
    .map(([type, count]) => `${count} ${type}`)
    .join(', ');
  return [
    row(
      `${n} renewals at one instant: issue + render + email (${pdf}, ${collections}), ${where}`,
      `${storm.perSecond.toFixed(1)} invoices/s`,
    ),
    row(
      'time to drain: from the shared instant to the last email (and collection) recorded',
      formatDuration(storm.drainMs),
    ),
    row(
      `exactly ${n} invoices, ${n} emails, ${settings.collections ? n : 0} collections started`,
      'yes',
      'yes',
    ),
    ...storm.processes.map((p) =>
      row(
        `${p.label}: RSS peak during the storm (at its start)`,
        `${mib(p.rssPeak)} (${mib(p.rssAtStart)})`,
      ),
    ),
    row(
      'CPU per renewal: worker processes (Chromium not counted)',
      perRenewal(cpuOf((l) => l.startsWith('worker'))),
    ),
    // Each worker process's own share, when there are several (billing and render apart).
    ...(workers.length > 1
      ? workers.map((p) => row(`CPU per renewal: ${p.label}`, perRenewal(p.cpuSeconds)))
      : []),
    row(
      'CPU per renewal: Chromium (printing the PDFs)',
      perRenewal(cpuOf((l) => l.startsWith('Chromium'))),
    ),
    row(
      'CPU per renewal: Temporal server processes',
      perRenewal(cpuOf((l) => l.startsWith('Temporal'))),
    ),
    row(
      'CPU per renewal: PostgreSQL (postmaster and backends)',
      perRenewal(cpuOf((l) => l === 'PostgreSQL')),
    ),
    row(`Temporal history events per renewal (${workflows})`, storm.history.perRenewal.toFixed(1)),
    row(
      `ceiling: ${n} workflows of 4 no-op activities at one instant, same server, a worker of default settings`,
      `${top.perSecond.toFixed(1)} workflows/s in ${formatDuration(top.drainMs)}`,
    ),
    row('storm / ceiling', (storm.perSecond / top.perSecond).toFixed(2), '≥ 0.5'),
  ];
}
