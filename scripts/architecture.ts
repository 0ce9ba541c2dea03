// The measures of docs/ARCHITECTURE.md's code rules, for anyone to run: `npm run architecture`.
// Import rules (cycles, upward imports, routes importing routes) are dependency-cruiser's
// (.dependency-cruiser.cjs, run by `npm run imports` and `npm run lint`); this adds the source
// files over the size budget, largest first, and each route file's logic lines against the
// route budget.
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
const MORE = ['payments', 'i18n', 'temporal', 'runtime', 'config', 'infra', 'bin', 'observability'];
const BUDGET = 400;
const ROUTE_BUDGET = 150;

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

// A route's logic lines: not blank, not a comment, and not inside a route's OpenAPI
// `schema: { … }` object. The schemas are the API's documentation (summaries, descriptions,
// responses), and a route should not be pushed to skimp on them; what is left is the route's
// own work (validate, call one use case, map the result to HTTP), which should stay short.
function logicLines(source: string): number {
  let count = 0;
  let inBlockComment = false;
  let schemaDepth = 0; // open braces of the schema object being skipped; 0 outside one
  for (const line of source.split('\n')) {
    const text = line.trim();
    if (inBlockComment) {
      inBlockComment = !text.includes('*/');
      continue;
    }
    if (text.startsWith('/*')) {
      inBlockComment = !text.includes('*/');
      continue;
    }
    const schemaStart = schemaDepth === 0 ? /\bschema:\s*\{/.exec(line) : null;
    if (schemaDepth === 0 && !schemaStart) {
      if (text && !text.startsWith('//')) count++;
      continue;
    }
    const from = schemaStart ? schemaStart.index + schemaStart[0].length - 1 : 0;
    schemaDepth += braceBalance(line.slice(from));
  }
  return count;
}

/** `{` minus `}` on a line of code, not counting those inside string literals. */
function braceBalance(code: string): number {
  let balance = 0;
  let quote: string | undefined;
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '{') balance++;
    else if (c === '}') balance--;
  }
  return balance;
}

const routes = files
  .filter((f) => f.startsWith('api/routes/'))
  .map((file) => {
    const source = readFileSync(file, 'utf8');
    return { file, lines: source.split('\n').length, logic: logicLines(source) };
  })
  .sort((a, b) => b.logic - a.logic);
const overRoutes = routes.filter((r) => r.logic > ROUTE_BUDGET);
console.log(
  `\nroute files (logic lines: code outside OpenAPI schemas), over ${ROUTE_BUDGET}: ${overRoutes.length}`,
);
console.log(' lines   logic');
for (const { file, lines, logic } of routes) {
  const flag = logic > ROUTE_BUDGET ? `  over ${ROUTE_BUDGET}` : '';
  console.log(`${String(lines).padStart(6)}  ${String(logic).padStart(6)}  ${file}${flag}`);
}
process.exitCode = cruise.status ?? 1;
