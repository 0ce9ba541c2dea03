// The dashboard's sessions on real PostgreSQL: a read key signs in, and a session ends when its
// signature, expiry or key says so (forged, expired, revoked, rotated).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKey,
  revokeApiKey,
  rotateApiKey,
  type ApiScope,
} from '../../db/repositories/api-keys.ts';
import {
  DASHBOARD_SESSION_MINUTES,
  openDashboardSession,
  signDashboardSession,
  signInToDashboard,
} from '../../services/dashboard-sessions.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const SECRET = 'dashboard-test-secret-0123456789abcdef';
const MINUTE = 60_000;

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

async function signedIn(scopes: ApiScope[] = ['read'], at = new Date()) {
  const key = await createApiKey(database.db, 'finance', scopes);
  const outcome = await signInToDashboard(database.db, SECRET, key.key, at);
  if (!outcome.ok) throw new Error(`sign-in refused: ${outcome.reason}`);
  return { key, ...outcome };
}

describe('dashboard sessions', () => {
  it('a read key signs in for 30 minutes, and the session names the key', async () => {
    const at = new Date('2026-12-03T10:00:00Z');
    const { key, token, session } = await signedIn(['read'], at);
    expect(session).toEqual({
      keyId: key.id,
      keyName: 'finance',
      issuedAt: at,
      expiresAt: new Date(at.getTime() + DASHBOARD_SESSION_MINUTES * MINUTE),
    });
    expect(token).not.toContain(key.key);
    const later = new Date(at.getTime() + 29 * MINUTE);
    expect(await openDashboardSession(database.db, SECRET, token, later)).toEqual({
      ok: true,
      session,
    });
    const after = new Date(at.getTime() + 30 * MINUTE);
    expect(await openDashboardSession(database.db, SECRET, token, after)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('write and admin keys include read; an unknown or revoked key is refused', async () => {
    for (const scopes of [['write'], ['admin']] as ApiScope[][])
      expect((await signedIn(scopes)).session.keyName).toBe('finance');
    expect(await signInToDashboard(database.db, SECRET, 'bw_live_not-a-key')).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
    const revoked = await createApiKey(database.db, 'gone', ['read']);
    await revokeApiKey(database.db, revoked.id);
    expect(await signInToDashboard(database.db, SECRET, revoked.key)).toEqual({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('a forged, altered or other-secret token opens nothing', async () => {
    const { token, session } = await signedIn();
    const [keyId, issued, expires, mac] = token.split('.') as [string, string, string, string];
    const later = String(Number(expires) + 24 * 60 * MINUTE);
    const forged = [
      `${keyId}.${issued}.${later}.${mac}`,
      `${keyId}.${issued}.${expires}.${mac.slice(0, -2)}AA`,
      signDashboardSession(
        'another-secret-0123456789abcdef',
        keyId,
        session.issuedAt,
        session.expiresAt,
      ),
      'garbage',
      '',
    ];
    for (const t of forged)
      expect(await openDashboardSession(database.db, SECRET, t), t).toEqual({
        ok: false,
        reason: 'invalid',
      });
  });

  it('revoking or rotating the key ends its sessions; signing in again after rotation works', async () => {
    const revoked = await signedIn();
    await revokeApiKey(database.db, revoked.key.id);
    expect(await openDashboardSession(database.db, SECRET, revoked.token)).toEqual({
      ok: false,
      reason: 'key_revoked',
    });

    const rotated = await signedIn();
    const rotation = await rotateApiKey(database.db, rotated.key.id, 10 * MINUTE);
    expect(await openDashboardSession(database.db, SECRET, rotated.token)).toEqual({
      ok: false,
      reason: 'rotated',
    });
    // The previous secret still signs in during its overlap, for no longer than the overlap.
    const overlap = await signInToDashboard(database.db, SECRET, rotated.key.key);
    expect(overlap.ok && overlap.session.expiresAt).toEqual(
      rotation!.record.previousSecretExpiresAt,
    );
    const fresh = await signInToDashboard(database.db, SECRET, rotation!.key);
    expect(fresh.ok && (await openDashboardSession(database.db, SECRET, fresh.token)).ok).toBe(
      true,
    );
  });
});
