// Billwright's custom search attributes on a Temporal namespace: the CLI flags that register them
// on a dev server, and registration through the operator service for real clusters.
import type { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { billwrightSearchAttributes } from '../workflow-contracts/search-attributes.ts';

type IndexedValueTypes = NonNullable<
  Parameters<Connection['operatorService']['addSearchAttributes']>[0]['searchAttributes']
>;
type IndexedValueType = IndexedValueTypes[string];

// Spelling that `temporal server start-dev --search-attribute Name=Type` accepts.
const CLI_TYPE_NAMES = {
  KEYWORD: 'Keyword',
  DATETIME: 'Datetime',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  KEYWORD_LIST: 'KeywordList',
} as const satisfies Record<SearchAttributeType, string>;

// temporal.api.enums.v1.IndexedValueType, spelled out to avoid a dependency on @temporalio/proto.
const INDEXED_VALUE_TYPES = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
} as const satisfies Record<SearchAttributeType, number>;

/** `--search-attribute Name=Type` pairs for every Billwright search attribute. */
export function searchAttributeCliArgs(): string[] {
  return billwrightSearchAttributes.flatMap(({ name, type }) => [
    '--search-attribute',
    `${name}=${CLI_TYPE_NAMES[type]}`,
  ]);
}

/**
 * Names of Billwright search attributes missing from `namespace`. Throws when one exists with
 * another type: that cannot be fixed by registering, someone has to decide.
 */
export async function missingSearchAttributes(
  connection: Connection,
  namespace: string,
): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const existing: Record<string, IndexedValueType> = customAttributes ?? {};
  const missing: string[] = [];
  for (const { name, type } of billwrightSearchAttributes) {
    const found = existing[name];
    if (found === undefined) missing.push(name);
    else if (Number(found) !== INDEXED_VALUE_TYPES[type]) {
      throw new Error(
        `search attribute ${name} exists on namespace ${namespace} with type ${String(found)}, expected ${type}`,
      );
    }
  }
  return missing;
}

const GRPC_UNIMPLEMENTED = 12;
const GRPC_ALREADY_EXISTS = 6;

function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Register the Billwright search attributes on an existing namespace (e.g. a production cluster).
 * Idempotent: attributes already present are skipped. Returns the names it added.
 */
export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
): Promise<string[]> {
  let missing: string[];
  try {
    missing = await missingSearchAttributes(connection, namespace);
  } catch (error) {
    if (grpcCode(error) !== GRPC_UNIMPLEMENTED) throw error;
    return await addOneByOne(connection, namespace);
  }
  if (missing.length === 0) return [];
  const searchAttributes: IndexedValueTypes = {};
  for (const { name, type } of billwrightSearchAttributes) {
    if (missing.includes(name)) searchAttributes[name] = INDEXED_VALUE_TYPES[type];
  }
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (error) {
    // Someone registered them concurrently (another worker starting): fine if all are there now.
    if (grpcCode(error) !== GRPC_ALREADY_EXISTS) throw error;
    const stillMissing = await missingSearchAttributes(connection, namespace);
    if (stillMissing.length > 0) throw error;
  }
  return missing;
}

/**
 * The Java time-skipping test server implements addSearchAttributes but not
 * listSearchAttributes: add each attribute alone and take "already exists" as registered.
 */
async function addOneByOne(connection: Connection, namespace: string): Promise<string[]> {
  const added: string[] = [];
  for (const { name, type } of billwrightSearchAttributes) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: { [name]: INDEXED_VALUE_TYPES[type] },
      });
      added.push(name);
    } catch (error) {
      if (grpcCode(error) !== GRPC_ALREADY_EXISTS) throw error;
    }
  }
  return added;
}
