// One place for what the production shape runs: `npm run cluster` builds and starts these, and
// docker-compose.yml and the Dockerfile must name the same (test/deploy checks they agree).
import { searchAttributeCliArgs } from '../search-attributes.ts';

export const TEMPORAL_SERVER_VERSION = '1.29.1';
/** The UI the Temporal CLI embeds, so the dev server and the cluster show the same pages. */
export const TEMPORAL_UI_VERSION = '2.42.1';
/** Major version of the PostgreSQL image in docker-compose.yml (the cluster uses the host's). */
export const POSTGRES_MAJOR = 16;
/** Temporal's SQL plugin for PostgreSQL 12 and later, with advanced visibility. */
export const TEMPORAL_SQL_PLUGIN = 'postgres12';
export const TEMPORAL_DATABASE = 'temporal';
export const TEMPORAL_VISIBILITY_DATABASE = 'temporal_visibility';
export const TEMPORAL_NAMESPACE = 'default';
/** Fixed when the cluster's database is created; every node must say the same. */
export const TEMPORAL_HISTORY_SHARDS = 4;
/** Days a namespace keeps closed workflows (`temporal operator namespace create --retention`). */
export const TEMPORAL_RETENTION_DAYS = 30;

/** Billwright's search attributes as `Name=Type`, the way Temporal's CLI spells the types. */
export const SEARCH_ATTRIBUTE_SPECS = searchAttributeCliArgs().filter((_, i) => i % 2 === 1);
