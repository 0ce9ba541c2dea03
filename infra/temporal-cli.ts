// The `temporal` CLI runs the dev server. There are no release downloads here (only package
// registries are reachable), so when it is not installed we build it from the Go module proxy.
import { ensureGoTool } from './go-install.ts';
import { findOnPath, isExecutableFile } from './which.ts';

export const TEMPORAL_CLI_VERSION = '1.5.1';

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

  return await ensureGoTool({
    label: 'Temporal CLI',
    cacheName: 'temporal-cli',
    version: TEMPORAL_CLI_VERSION,
    module: 'github.com/temporalio/cli/cmd/temporal',
    installs: 'temporal',
    binary: 'temporal',
  });
}
