// Encrypts every payload Temporal stores (workflow inputs, activity results, queries, memos,
// summaries and details), so history readers without the key see ciphertext, not customers.
// AES-256-GCM with a fresh random IV per payload; the key id travels in the payload's metadata,
// so adding a key (rotation) leaves payloads written under older keys readable.
import { fileURLToPath } from 'node:url';
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import {
  METADATA_ENCODING_KEY,
  type DataConverter,
  type Payload,
  type PayloadCodec,
} from '@temporalio/common';
import proto from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA_KEY = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
export const PAYLOAD_KEY_BYTES = 32;

export interface PayloadKey {
  id: string;
  /** 32 random bytes. */
  key: Uint8Array;
}

/** Keys in order of preference: the first encrypts, every one of them decrypts. */
export type PayloadKeyring = readonly PayloadKey[];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function createEncryptionCodec(keyring: PayloadKeyring): PayloadCodec {
  const current = keyring[0];
  if (!current) throw new Error('the payload codec needs at least one key');
  // Key objects made once: made from raw bytes on every payload, they cost more than the cipher.
  const byId = new Map(keyring.map((k) => [k.id, createSecretKey(k.key)]));
  const sealing = { id: current.id, key: byId.get(current.id)! };
  return {
    // A payload that does not decrypt rejects the promise (never throws synchronously).
    encode(payloads) {
      return Promise.resolve().then(() => payloads.map((payload) => encrypt(payload, sealing)));
    },
    decode(payloads) {
      return Promise.resolve().then(() => payloads.map((payload) => decrypt(payload, byId)));
    },
  };
}

function encrypt(payload: Payload, { id, key }: { id: string; key: KeyObject }): Payload {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  // The key id is authenticated too: a payload relabelled with another id does not decrypt.
  cipher.setAAD(encoder.encode(id));
  const plain = proto.temporal.api.common.v1.Payload.encode(payload).finish();
  const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return {
    metadata: {
      [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING),
      [KEY_ID_METADATA_KEY]: encoder.encode(id),
    },
    data: sealed,
  };
}

function decrypt(payload: Payload, keys: Map<string, KeyObject>): Payload {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  // Payloads written before encryption (or by the server) pass through unchanged.
  if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
  const idBytes = payload.metadata?.[KEY_ID_METADATA_KEY];
  if (!idBytes) throw new Error('encrypted payload without an encryption-key-id');
  const id = decoder.decode(idBytes);
  const key = keys.get(id);
  if (!key) throw new Error(`encrypted payload under unknown key id "${id}"`);
  const data = payload.data ?? new Uint8Array();
  if (data.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted payload is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
  decipher.setAAD(idBytes);
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  // final() throws when the ciphertext, the IV, the tag or the key id was altered.
  const plain = Buffer.concat([
    decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
    decipher.final(),
  ]);
  return proto.temporal.api.common.v1.Payload.decode(plain);
}

/**
 * The data converter of every client and worker Billwright creates: payloads through the
 * encryption codec (none when encryption is explicitly off). Failure messages and stack traces
 * are moved into an encoded payload too (encodeCommonAttributes), so an activity's error text
 * never reaches history in the clear.
 */
export function billwrightDataConverter(keyring: PayloadKeyring | undefined): DataConverter {
  return {
    payloadCodecs: keyring ? [createEncryptionCodec(keyring)] : [],
    failureConverterPath,
  };
}

/** Workers load the failure converter by path: workflows run it inside their sandbox. */
export const failureConverterPath = fileURLToPath(
  new URL('./failure-converter.ts', import.meta.url),
);
