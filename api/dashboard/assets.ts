// The dashboard's static files, served by the API itself (GET /dashboard/assets/<name>): its
// script and style sheet from this folder, and Chart.js's UMD build from node_modules, so the
// page needs no CDN and the Content-Security-Policy can allow scripts from the API's origin only.
// Read once at start: a fixed list, so no request names a path on disk.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DashboardAsset {
  contentType: string;
  body: Buffer;
}

const here = dirname(fileURLToPath(import.meta.url));
// chart.js exports only its module builds; its UMD file sits beside the CommonJS one.
const chartJsDist = dirname(createRequire(import.meta.url).resolve('chart.js'));

const FILES: Record<string, { path: string; contentType: string }> = {
  'dashboard.js': {
    path: join(here, 'dashboard.js'),
    contentType: 'text/javascript; charset=utf-8',
  },
  'dashboard.css': { path: join(here, 'dashboard.css'), contentType: 'text/css; charset=utf-8' },
  'chart.umd.min.js': {
    path: join(chartJsDist, 'chart.umd.min.js'),
    contentType: 'text/javascript; charset=utf-8',
  },
};

export const DASHBOARD_ASSET_NAMES = Object.keys(FILES);

/** Every asset, read from disk now. */
export function loadDashboardAssets(): Map<string, DashboardAsset> {
  return new Map(
    Object.entries(FILES).map(([name, file]) => [
      name,
      {
        contentType: file.contentType,
        // Chart.js names a source map the API does not serve; browsers would ask for it.
        body: Buffer.from(
          readFileSync(file.path, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'),
        ),
      },
    ]),
  );
}
