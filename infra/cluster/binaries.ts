// The cluster's Go binaries, built from the Go module proxy on first use into the same cache as
// the Temporal CLI. Both servers install as `server`: ensureGoTool gives each its own GOBIN.
import { ensureGoTool, type GoTool } from '../go-install.ts';
import { formatDuration, progress } from '../../runtime/log.ts';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from './versions.ts';

export const TEMPORAL_SERVER: GoTool = {
  label: 'Temporal server',
  cacheName: 'temporal-server',
  version: TEMPORAL_SERVER_VERSION,
  module: 'go.temporal.io/server/cmd/server',
  installs: 'server',
  binary: 'temporal-server',
};

export const TEMPORAL_SQL_TOOL: GoTool = {
  label: 'temporal-sql-tool',
  cacheName: 'temporal-sql-tool',
  version: TEMPORAL_SERVER_VERSION,
  module: 'go.temporal.io/server/cmd/tools/sql',
  installs: 'sql',
  binary: 'temporal-sql-tool',
};

export const TEMPORAL_UI_SERVER: GoTool = {
  label: 'Temporal UI server',
  cacheName: 'temporal-ui-server',
  version: TEMPORAL_UI_VERSION,
  module: 'github.com/temporalio/ui-server/v2/cmd/server',
  installs: 'server',
  binary: 'temporal-ui-server',
};

export interface ClusterBinaries {
  server: string;
  sqlTool: string;
  uiServer: string;
}

/** Builds what is missing, one at a time (two cores: parallel `go install`s only thrash). */
export async function ensureClusterBinaries(): Promise<ClusterBinaries> {
  const started = Date.now();
  const paths: string[] = [];
  for (const tool of [TEMPORAL_SERVER, TEMPORAL_SQL_TOOL, TEMPORAL_UI_SERVER]) {
    const path = await ensureGoTool(tool);
    if (!path) throw new Error(`Go is needed to build ${tool.label} (go install ${tool.module})`);
    paths.push(path);
  }
  const [server, sqlTool, uiServer] = paths as [string, string, string];
  progress(`cluster binaries ready in ${formatDuration(Date.now() - started)}`);
  return { server, sqlTool, uiServer };
}
