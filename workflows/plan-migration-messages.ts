// What a plan migration is told and shows, shared by its workflow, its start and the API.

export interface PlanMigrationCounts {
  moved: number;
  skipped: number;
  failed: number;
}

export interface PlanMigrationInput {
  migrationId: string;
  planCode: string;
  toVersion: number;
  /** Only subscriptions on these versions; absent: every version. */
  fromVersions?: number[];
  /** Subscriptions per batch (default MIGRATION_BATCH_SIZE). */
  batchSize?: number;
  /** Set only by continue-as-new: the last subscription id walked, and where the counts stand. */
  after?: string;
  batch?: number;
  total?: number;
  counts?: PlanMigrationCounts;
}

/** Subscriptions per batch by default: one activity, then continue-as-new. */
export const MIGRATION_BATCH_SIZE = 100;

/** "Migrate plan pro v1 → v2", or "Migrate plan pro → v3" from every version. */
export function planMigrationTitle(input: PlanMigrationInput): string {
  const from = input.fromVersions?.length
    ? ` ${input.fromVersions.map((v) => `v${v}`).join(', ')}`
    : '';
  return `Migrate plan ${input.planCode}${from} → v${input.toVersion}`;
}

/** "Migrate plan pro v1 → v2: 240 of 1,000 moved, 3 skipped, 1 failed", for the Temporal UI. */
export function planMigrationProgress(
  input: PlanMigrationInput,
  total: number,
  counts: PlanMigrationCounts,
): string {
  const n = (x: number) => String(x).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (
    `${planMigrationTitle(input)}: ${n(counts.moved)} of ${n(total)} moved, ` +
    `${n(counts.skipped)} skipped, ${n(counts.failed)} failed`
  );
}
