// Every migration, by name. A static list (not a folder scan) so the same code runs from
// source, in tests and in a container image; names sort in the order they apply.
import type { Migration } from 'kysely/migration';
import * as initial from './2026_12_03_0001_initial.ts';

export const migrations: Record<string, Migration> = {
  '2026_12_03_0001_initial': initial,
};
