// The payload codec: what it writes is ciphertext under the current key, it reads back what it
// wrote, older keys keep reading their payloads after a rotation, and any tampering fails.
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { loadConfig, parsePayloadKeys } from '../../config/index.ts';
import {
  createEncryptionCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA_KEY,
  type PayloadKey,
} from '../../temporal/payload-codec.ts';

const key = (id: string): PayloadKey => ({ id, key: randomBytes(32) });
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const customer = { name: 'Ada Lovelace', email: 'ada@example.test' };
const payload = (): Payload => defaultPayloadConverter.toPayload(customer);

describe('payload codec', () => {
  it('encrypts under the current key with a fresh IV, and decodes back', async () => {
    const k1 = key('k1');
    const codec = createEncryptionCodec([k1]);
    const [a, b] = await codec.encode([payload(), payload()]);
    expect(text(a!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(a!.metadata![KEY_ID_METADATA_KEY])).toBe('k1');
    expect(Buffer.from(a!.data!).toString('latin1')).not.toContain('ada@example.test');
    // The same plaintext twice: different IVs, different ciphertexts.
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    const [decoded] = await codec.decode([a!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(customer);
  });

  it('passes payloads that were never encrypted through unchanged', async () => {
    const codec = createEncryptionCodec([key('k1')]);
    const plain = payload();
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('rotation: a payload written under k1 decodes after k2 is added and made current', async () => {
    const k1 = key('k1');
    const [old] = await createEncryptionCodec([k1]).encode([payload()]);
    const rotated = createEncryptionCodec([key('k2'), k1]);
    const [fresh] = await rotated.encode([payload()]);
    expect(text(fresh!.metadata![KEY_ID_METADATA_KEY])).toBe('k2');
    for (const p of await rotated.decode([old!, fresh!])) {
      expect(defaultPayloadConverter.fromPayload(p)).toEqual(customer);
    }
    // Removing k1 before its payloads are gone makes them unreadable, and says which key.
    await expect(createEncryptionCodec([key('k2')]).decode([old!])).rejects.toThrow(/"k1"/);
  });

  it('refuses tampered ciphertext, tag, IV, key id, or a key of the same id but other bytes', async () => {
    const k1 = key('k1');
    const codec = createEncryptionCodec([k1, key('k0')]);
    const [sealed] = await codec.encode([payload()]);
    const flip = (at: number) => {
      const data = Buffer.from(sealed!.data!);
      data[at] = data[at]! ^ 1;
      return { ...sealed!, data };
    };
    const length = sealed!.data!.length;
    for (const at of [0, 12, Math.floor(length / 2), length - 1]) {
      await expect(codec.decode([flip(at)])).rejects.toThrow();
    }
    const relabelled = {
      ...sealed!,
      metadata: { ...sealed!.metadata, [KEY_ID_METADATA_KEY]: Buffer.from('k0') },
    };
    await expect(codec.decode([relabelled])).rejects.toThrow();
    await expect(createEncryptionCodec([key('k1')]).decode([sealed!])).rejects.toThrow();
    await expect(codec.decode([{ ...sealed!, data: new Uint8Array(8) }])).rejects.toThrow(
      /truncated/,
    );
  });
});

describe('BILLWRIGHT_PAYLOAD_KEYS', () => {
  const b64 = () => randomBytes(32).toString('base64');

  it('reads id:base64 pairs, the first current', () => {
    const keys = parsePayloadKeys(`k2:${b64()}, k1:${b64()}`)!;
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(keys[0]!.key).toHaveLength(32);
    expect(parsePayloadKeys('')).toBeUndefined();
  });

  it('refuses short keys, missing ids and repeated ids', () => {
    expect(() => parsePayloadKeys(`k1:${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
    expect(() => parsePayloadKeys(b64())).toThrow(/id:base64/);
    expect(() => parsePayloadKeys(`k1:${b64()},k1:${b64()}`)).toThrow(/twice/);
  });

  it('encryption is on unless explicitly off; the UI origins default to the dev server', () => {
    expect(loadConfig({}).payloadEncryption).toBe(true);
    expect(loadConfig({ BILLWRIGHT_PAYLOAD_ENCRYPTION: 'off' }).payloadEncryption).toBe(false);
    expect(() => loadConfig({ BILLWRIGHT_PAYLOAD_ENCRYPTION: 'no' })).toThrow(/on or off/);
    expect(loadConfig({}).codecCorsOrigins).toContain('http://localhost:8233');
    expect(
      loadConfig({ BILLWRIGHT_CODEC_CORS_ORIGINS: 'https://temporal.example.com/' })
        .codecCorsOrigins,
    ).toEqual(['https://temporal.example.com']);
  });
});
