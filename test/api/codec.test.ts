// POST /codec/decode and /codec/encode: the Temporal codec server protocol behind an API key,
// with CORS for the Temporal UI's origin only.
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEncryptionCodec, type PayloadKey } from '../../temporal/payload-codec.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

const UI = 'http://localhost:8233';
const keyring: PayloadKey[] = [{ id: 'k1', key: randomBytes(32) }];
const codec = createEncryptionCodec(keyring);
const secret = { email: 'ada@example.test' };

let api: ApiHarness;
let encrypted: { metadata: Record<string, string>; data: string };

beforeAll(async () => {
  api = await createApiHarness({ codec: { keyring, corsOrigins: [UI] } });
  const [sealed] = await codec.encode([defaultPayloadConverter.toPayload(secret)]);
  encrypted = {
    metadata: Object.fromEntries(
      Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    ),
    data: Buffer.from(sealed!.data!).toString('base64'),
  };
});

afterAll(async () => {
  await api?.close();
});

const readJson = (p: { data: string }) =>
  JSON.parse(Buffer.from(p.data, 'base64').toString('utf8')) as unknown;

describe('codec endpoint', () => {
  it('decodes with a valid API key, with CORS for the Temporal UI', async () => {
    const response = await api.request({
      method: 'POST',
      url: '/codec/decode',
      headers: { origin: UI, 'x-namespace': 'default' },
      payload: { payloads: [encrypted] },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(UI);
    const [plain] = response.json<{ payloads: { data: string }[] }>().payloads;
    expect(readJson(plain!)).toEqual(secret);
  });

  it('encodes under the current key, which decodes back', async () => {
    const data = Buffer.from(JSON.stringify(secret)).toString('base64');
    const metadata = { encoding: Buffer.from('json/plain').toString('base64') };
    const encoded = await api.request({
      method: 'POST',
      url: '/codec/encode',
      payload: { payloads: [{ metadata, data }] },
    });
    expect(encoded.statusCode).toBe(200);
    const sealed = encoded.json<{ payloads: (typeof encrypted)[] }>().payloads[0]!;
    expect(Buffer.from(sealed.metadata['encryption-key-id']!, 'base64').toString()).toBe('k1');
    expect(Buffer.from(sealed.data, 'base64').toString('latin1')).not.toContain('ada@');
    const decoded = await api.request({
      method: 'POST',
      url: '/codec/decode',
      payload: { payloads: [sealed] },
    });
    expect(readJson(decoded.json<{ payloads: { data: string }[] }>().payloads[0]!)).toEqual(secret);
  });

  it('refuses without a key, with an unknown key, and in the path with a wrong one', async () => {
    for (const authorization of ['', 'Bearer bw_nope']) {
      const response = await api.app.inject({
        method: 'POST',
        url: '/codec/decode',
        headers: authorization ? { authorization } : {},
        payload: { payloads: [encrypted] },
      });
      expect(response.statusCode).toBe(401);
      expect(response.body).not.toContain('ada@');
    }
    const wrong = await api.app.inject({
      method: 'POST',
      url: '/codec/key/bw_nope/decode',
      payload: { payloads: [encrypted] },
    });
    expect(wrong.statusCode).toBe(401);
  });

  it('accepts the key in the path, for a UI that sends no Authorization header', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: `/codec/key/${api.apiKey.key}/decode`,
      headers: { origin: UI },
      payload: { payloads: [encrypted] },
    });
    expect(response.statusCode).toBe(200);
    expect(readJson(response.json<{ payloads: { data: string }[] }>().payloads[0]!)).toEqual(
      secret,
    );
  });

  it('answers the UI preflight without a key, and no other origin', async () => {
    const preflight = await api.app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: UI, 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(UI);
    expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/authorization/);
    const elsewhere = await api.app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers 400 for a payload that does not decrypt', async () => {
    const tampered = { ...encrypted, data: Buffer.from('x'.repeat(40)).toString('base64') };
    const response = await api.request({
      method: 'POST',
      url: '/codec/decode',
      payload: { payloads: [tampered] },
    });
    expect(response.statusCode).toBe(400);
  });
});
