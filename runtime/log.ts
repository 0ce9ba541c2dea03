// Progress lines for slow steps (starting the platform, provisioning). They go to stderr so that
// stdout stays clean for whatever the caller prints, and carry a prefix so they stand out in CI
// logs and vitest output.

export function progress(message: string): void {
  process.stderr.write(`[billwright] ${message}\n`);
}

/** "850 ms", "12.3 s", "4 min 05 s": readable in a CI log at a glance. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return `${minutes} min ${seconds} s`;
}
