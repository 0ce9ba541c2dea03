// Finance's sessions on the dashboard. An API key with the read scope, typed once into the
// sign-in page, is exchanged for a signed, short-lived session token (the dashboard's cookie): the
// token names the key by id (never its secret), when it was issued and when it expires, under an
// HMAC-SHA256 keyed by the platform's signing secret. Every page checks the signature and expiry,
// then reads the key as the API's authentication does: still active, still granting read, and not
// rotated since the session began (a rotation or a revocation ends its sessions at once).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/connect.ts';
import { findActiveApiKey, getApiKey, grants } from '../db/repositories/api-keys.ts';

/** How long a session lasts: a sitting with the figures, not a day; then sign in again. */
export const DASHBOARD_SESSION_MINUTES = 30;
/** Domain separation: a signature made for a hosted link never verifies as a session. */
const PURPOSE = 'billwright/dashboard-session/v1';
const MIN_SECRET_LENGTH = 16;

export interface DashboardSession {
  keyId: string;
  keyName: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** Why a key was not let in: unknown or revoked, or without the read scope. */
export type SignInRefusal = 'unknown_key' | 'missing_scope';

export type SignInOutcome =
  { ok: true; token: string; session: DashboardSession } | { ok: false; reason: SignInRefusal };

/** Why a token opens no session: forged or mangled, past its expiry, or its key no longer may. */
export type SessionRefusal = 'invalid' | 'expired' | 'key_revoked' | 'missing_scope' | 'rotated';

export type SessionCheck =
  { ok: true; session: DashboardSession } | { ok: false; reason: SessionRefusal };

function signature(secret: string, keyId: string, issued: number, expires: number): Buffer {
  if (secret.length < MIN_SECRET_LENGTH)
    throw new RangeError(`the signing secret must be at least ${MIN_SECRET_LENGTH} characters`);
  return createHmac('sha256', secret)
    .update(`${PURPOSE}\n${keyId}\n${issued}\n${expires}`)
    .digest();
}

/** `<key id>.<issued, Unix ms>.<expires, Unix ms>.<signature, base64url>`. */
export function signDashboardSession(
  secret: string,
  keyId: string,
  issuedAt: Date,
  expiresAt: Date,
): string {
  const issued = issuedAt.getTime();
  const expires = expiresAt.getTime();
  const mac = signature(secret, keyId, issued, expires).toString('base64url');
  return `${keyId}.${issued}.${expires}.${mac}`;
}

const TOKEN = /^(key_[a-z2-7]{1,64})\.(\d{1,15})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

/** The token's claims when its signature holds (checked in constant time), else undefined. */
function claimsOf(
  secret: string,
  token: string,
): { keyId: string; issued: number; expires: number } | undefined {
  const match = TOKEN.exec(token);
  if (!match) return undefined;
  const [, keyId, issuedText, expiresText, mac] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const issued = Number(issuedText);
  const expires = Number(expiresText);
  const expected = signature(secret, keyId, issued, expires);
  const presented = Buffer.from(mac, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected))
    return undefined;
  return { keyId, issued, expires };
}

/** Exchanges an API key's secret for a session token, when the key is active and grants read. */
export async function signInToDashboard(
  db: Db,
  secret: string,
  plaintextKey: string,
  now: Date = new Date(),
): Promise<SignInOutcome> {
  const key = await findActiveApiKey(db, plaintextKey, now);
  if (!key) return { ok: false, reason: 'unknown_key' };
  if (!grants(key.scopes, 'read')) return { ok: false, reason: 'missing_scope' };
  const issuedAt = now;
  let expiresAt = new Date(now.getTime() + DASHBOARD_SESSION_MINUTES * 60_000);
  // A secret in its rotation overlap signs in no longer than it works.
  if (key.secretExpiresAt && key.secretExpiresAt < expiresAt) expiresAt = key.secretExpiresAt;
  return {
    ok: true,
    token: signDashboardSession(secret, key.id, issuedAt, expiresAt),
    session: { keyId: key.id, keyName: key.name, issuedAt, expiresAt },
  };
}

/** The session a token opens now, or why it opens none. */
export async function openDashboardSession(
  db: Db,
  secret: string,
  token: string,
  now: Date = new Date(),
): Promise<SessionCheck> {
  const claims = claimsOf(secret, token);
  if (!claims) return { ok: false, reason: 'invalid' };
  if (claims.expires <= now.getTime()) return { ok: false, reason: 'expired' };
  const key = await getApiKey(db, claims.keyId);
  if (!key || key.revokedAt) return { ok: false, reason: 'key_revoked' };
  if (!grants(key.scopes, 'read')) return { ok: false, reason: 'missing_scope' };
  if (key.rotatedAt && key.rotatedAt.getTime() > claims.issued)
    return { ok: false, reason: 'rotated' };
  return {
    ok: true,
    session: {
      keyId: key.id,
      keyName: key.name,
      issuedAt: new Date(claims.issued),
      expiresAt: new Date(claims.expires),
    },
  };
}
