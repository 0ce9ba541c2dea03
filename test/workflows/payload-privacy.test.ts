// What anyone with Temporal access reads: each workflow type's story (scripts/stories/, as the
// history recorder plays them, with the worker's payload codec) is fetched back through a client
// WITHOUT the codec, as the Temporal UI or `temporal workflow show` would show it. Neither the
// customer's email address, nor its name, nor the project's name may appear anywhere: inputs,
// results, summaries, details, failures, search attributes.
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Client } from '@temporalio/client';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleStoryWorkflows, playStory, type Story } from '../../scripts/recording.ts';
import { stories } from '../../scripts/stories/index.ts';
import { ensureTimeSkippingTestServer } from '../../infra/test-server.ts';
import {
  createEncryptionCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA_KEY,
} from '../../temporal/payload-codec.ts';
import { createTestDatabase } from '../support/db.ts';
import { TEST_PAYLOAD_KEYS } from '../support/payload-keys.ts';
import '../support/temporal.ts';

/** The personal data the stories give their customer (scripts/recording.ts) and project. */
const PERSONAL = ['replay@example.test', 'Replay SARL', 'Replay wing'];
/** An address with a domain (not the worker's "@temporalio/worker@1.24.0" build id). */
const EMAIL_ADDRESS = /[\w.+-]+@[\w-]+(\.[\w-]+)*\.[a-z]{2,}\b/i;

/** The first personal datum in `text`, if any (the history itself is too long to print). */
function personalDataIn(text: string): string | undefined {
  return PERSONAL.find((word) => text.includes(word)) ?? EMAIL_ADDRESS.exec(text)?.[0];
}

let bundle: WorkflowBundleWithSourceMap;
let serverPath: string | undefined;

beforeAll(async () => {
  [bundle, serverPath] = await Promise.all([
    bundleStoryWorkflows(),
    ensureTimeSkippingTestServer(),
  ]);
});

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const text = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');

function isPayload(value: object): value is JsonPayload {
  return 'metadata' in value && typeof (value as JsonPayload).metadata === 'object';
}

/**
 * The history as a reader without the key sees it, with every clear payload's bytes written out
 * as text (JSON payloads are base64 in the API's JSON, which a plain search would miss) and every
 * encrypted one left as what it is, ciphertext.
 */
function readable(history: unknown, reveal: (p: JsonPayload) => string) {
  let encrypted = 0;
  let clear = 0;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    if (isPayload(value)) {
      const encoding = text(value.metadata?.encoding);
      if (encoding === ENCRYPTED_ENCODING) {
        encrypted++;
        return { encrypted: reveal(value) };
      }
      clear++;
      return { encoding, data: text(value.data) };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
  };
  return { json: JSON.stringify(walk(history)), encrypted, clear };
}

const codec = createEncryptionCodec(TEST_PAYLOAD_KEYS);

/** The same payload decrypted, as the codec endpoint does for finance. */
async function decrypt(p: JsonPayload): Promise<string> {
  const [plain] = await codec.decode([
    {
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
      ),
      data: Buffer.from(p.data ?? '', 'base64'),
    },
  ]);
  return Buffer.from(plain!.data ?? new Uint8Array()).toString('utf8');
}

const cases: [string, Story][] = [
  ['subscription', stories.subscriptionWorkflow[0]],
  ['collection', stories.collectionWorkflow[0]],
  ['project', stories.projectWorkflow[0]],
  ['QuickBooks sync', stories.accountingSyncWorkflow[0]],
];

describe('personal data in Temporal history', () => {
  it.each(cases)(
    'a %s workflow shows no email address, customer or project name without the key',
    async (_type, story) => {
      const testDb = await createTestDatabase();
      let raw: unknown;
      let decrypted: Promise<string>[] = [];
      try {
        await playStory({ story, db: testDb.db, bundle, serverPath }, async (handle, env) => {
          // A client without the codec: what the server stores and anyone with access reads.
          const plain = new Client({
            connection: env.connection,
            namespace: env.namespace ?? 'default',
          });
          const history = await plain.workflow.getHandle(handle.workflowId).fetchHistory();
          raw = JSON.parse(historyToJSON(history));
        });
      } finally {
        await testDb.destroy();
      }

      const seen = readable(raw, (p) => {
        decrypted.push(decrypt(p));
        return `${text(p.metadata?.[KEY_ID_METADATA_KEY])}:${p.data ?? ''}`;
      });
      // Inputs, results, summaries and details are all encrypted; only search attributes (ids
      // and states) are in the clear.
      expect(seen.encrypted).toBeGreaterThan(10);
      expect(personalDataIn(seen.json)).toBeUndefined();

      // With the key, the payloads read back (the walk above really looks into them), and even
      // then the workflow carries ids, not the customer's address or the project's name.
      const decryptedText = (await Promise.all(decrypted)).join('\n');
      decrypted = [];
      expect(decryptedText).toMatch(/cus_/);
      expect(personalDataIn(decryptedText)).toBeUndefined();
    },
    180_000,
  );
});
