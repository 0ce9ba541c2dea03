// The import rules of docs/ARCHITECTURE.md, checked by `npm run lint` (dependency-cruiser):
// arrows run one way, API → services → workflows → activities → repositories → domain (workflow
// ids and messages both sides need in workflow-contracts/, just above domain), and nothing
// imports in a circle. Type-only imports count too: a type is knowledge of a layer.
/** What the workflow bundle holds (temporal/worker.ts bundles workflows/index.ts). */
const WORKFLOW_BUNDLE = '^(workflows|workflow-contracts|domain)/';

/** @type {import('dependency-cruiser').IConfiguration} */
const upward = (name, from, to, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: to },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules that import each other in a circle cannot be understood one at a time.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    upward(
      'domain-is-pure',
      '^domain/',
      '^(api|services|workflows|workflow-contracts|activities|db|documents|email|payments|accounting|temporal|runtime|config|infra|bin)/',
      'domain/ is the pure core: it imports nothing but itself.',
    ),
    {
      name: 'workflow-bundle-is-closed',
      comment:
        'The workflow bundle holds workflows/, workflow-contracts/, domain/ and the search ' +
        'attribute keys: what a workflow runs must come from there (activities and adapters: ' +
        'import type only), so the sandbox fence of eslint.config.js covers all of it.',
      severity: 'error',
      from: { path: WORKFLOW_BUNDLE },
      to: {
        pathNot: `${WORKFLOW_BUNDLE}|^node_modules/`,
        dependencyTypesNot: ['type-only', 'core'],
      },
    },
    {
      name: 'workflow-bundle-no-io',
      comment:
        'Workflow code is replayed in a deterministic sandbox: no Node built-ins, no I/O ' +
        'packages (the database, email, HTTP, Temporal client or worker).',
      severity: 'error',
      from: { path: WORKFLOW_BUNDLE },
      to: {
        dependencyTypesNot: ['type-only'],
        path: [
          '^(node:)?(fs|path|os|crypto|child_process|http|https|net|url|util|stream|events|worker_threads|timers)(/|$)',
          '^node_modules/(pg|kysely|kysely-pglite-dialect|resend|node-quickbooks|fastify|fastify-plugin|@fastify|handlebars|playwright-core|@electric-sql)/',
          '^node_modules/@temporalio/(client|worker|activity|testing|envconfig)/',
        ],
      },
    },
    upward(
      'workflow-contracts-below-all-but-domain',
      '^workflow-contracts/',
      '^(api|services|workflows|activities|db|documents|email|payments|accounting|temporal|runtime|config|infra|bin)/',
      'Workflow ids and the messages both sides of a workflow need: below both, above domain only.',
    ),
    upward(
      'repositories-below-activities',
      '^db/',
      '^(api|services|workflows|activities|temporal|runtime|bin)/',
      'Repositories serve activities and services; they never reach up.',
    ),
    upward(
      'activities-below-workflows',
      '^(activities|documents|email|payments|accounting|i18n)/',
      '^(api|workflows|runtime|bin)/',
      'Activities and the ports they use know nothing of workflows or the API.',
    ),
    upward(
      'activities-below-services',
      '^(activities|documents|email|payments|accounting)/',
      '^services/',
      'Activities know nothing of use cases. One that needs a use case (a plan migration moves ' +
        'each subscription through the change use case) is handed it by the runtime.',
    ),
    upward(
      'workflows-below-services',
      '^workflows/',
      '^(api|services|db|runtime|bin)/',
      'Workflows reach activities through proxyActivities (types) and never the API or the database.',
    ),
    upward(
      'services-below-api',
      '^services/',
      '^(api|runtime|bin)/',
      'Services never import routes.',
    ),
    upward(
      'i18n-is-a-leaf',
      '^i18n/',
      '^(api|services|workflows|workflow-contracts|activities|db|documents|email|payments|accounting|temporal|runtime|config|infra|bin|domain|observability)/',
      'i18n/ holds the message catalogues documents, pages and emails speak from: it imports no layer.',
    ),
    upward(
      'observability-is-a-leaf',
      '^observability/',
      '^(api|services|workflows|workflow-contracts|activities|db|documents|email|payments|temporal|runtime|config|infra|bin|domain)/',
      'observability/ holds the metric registry every layer counts into (never the workflow ' +
        'bundle, which is closed): it imports no layer, so any layer may import it.',
    ),
    // ——— Folders that say what they are (issue #13: domain slices, config, infra) ———
    {
      name: 'domain-core-is-shared',
      comment:
        'domain/core/ (money, decimal, currency, periods) is the pure core the slices share: it ' +
        'knows no slice.',
      severity: 'error',
      from: { path: '^domain/core/' },
      to: { path: '^domain/', pathNot: '^domain/core/' },
    },
    {
      name: 'config-read-at-the-top',
      comment:
        'config/ reads the environment; the composition roots (bin/, runtime/, api/app.ts, ' +
        'api/settings.ts) pass its values down, so pure, workflow, activity and port code never ' +
        'sees it: an activity names the settings it uses (runtime/activity-settings.ts fills them).',
      severity: 'error',
      from: {
        path: '^(domain|workflows|workflow-contracts|activities|db|documents|email|payments|accounting|services)/',
      },
      to: { path: '^config/' },
    },
    {
      name: 'infra-is-dev-provisioning',
      comment:
        'infra/ provisions development and tests (Temporal CLI, throw-away PostgreSQL, Chromium ' +
        'packages, the loopback cluster); production code never imports it, only the dev commands ' +
        'bin/start.ts, bin/provision.ts and bin/cluster.ts.',
      severity: 'error',
      from: {
        path: '^(api|services|workflows|workflow-contracts|activities|db|documents|email|payments|accounting|temporal|runtime|config|domain|bin)/',
        pathNot: '^bin/(start|provision|cluster)\\.ts$',
      },
      to: { path: '^infra/' },
    },
    // ——— end of the folder rules ———
    {
      name: 'routes-do-not-import-routes',
      comment: 'A route delegates to a service or a shared schema, never to another route.',
      severity: 'error',
      from: { path: '^api/routes/([^/]+)\\.ts$' },
      to: { path: '^api/routes/', pathNot: '^api/routes/$1\\.ts$' },
    },
  ],
  options: {
    // Packages are listed (not followed), so the workflow bundle rules see which it imports.
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(test|bench|scripts|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
  },
};
