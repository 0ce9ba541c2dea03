// Every migration, by name. A static list (not a folder scan) so the same code runs from
// source, in tests and in a container image; names sort in the order they apply.
import type { Migration } from 'kysely/migration';
import * as foundation from './2026_11_23_0001_foundation.ts';

export const migrations: Record<string, Migration> = {
  '2026_11_23_0001_foundation': foundation,
};
