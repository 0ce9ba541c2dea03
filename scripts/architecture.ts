// The measures of docs/ARCHITECTURE.md's code rules, for anyone to run: `npm run architecture`.
// Import rules (cycles, upward imports, routes importing routes) are dependency-cruiser's
// (.dependency-cruiser.cjs, run by `npm run imports` and `npm run lint`); this adds the source
// files over the size budget, largest first.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const LAYERS = [
  'api',
  'services',
  'workflows',
  'workflow-contracts',
  'activities',
  'db',
  'domain',
  'documents',
  'email',
];
const MORE = ['payments', 'temporal', 'runtime', 'config', 'infra', 'bin'];
const BUDGET = 400;

// The import rules, on the files `npm run lint` checks (the config's exclude decides which).
const cruise = spawnSync('npm', ['run', '--silent', 'imports'], { stdio: 'inherit' });

const files = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
  encoding: 'utf8',
})
  .stdout.split('\n')
  .filter((f) => f && [...LAYERS, ...MORE].some((layer) => f.startsWith(`${layer}/`)));
const sizes = files
  .map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length }))
  .filter((f) => f.lines > BUDGET)
  .sort((a, b) => b.lines - a.lines);
console.log(`\nsource files over ${BUDGET} lines: ${sizes.length}`);
for (const { file, lines } of sizes) console.log(`${String(lines).padStart(6)}  ${file}`);
process.exitCode = cruise.status ?? 1;
