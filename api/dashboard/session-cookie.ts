// The dashboard's session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's
// page sends it), Path=/dashboard (the rest of the API never receives it) and Secure, unless the
// API is reached over plain HTTP on this machine (npm start), where browsers would drop it.
import type { Db } from '../../db/connect.ts';
import { openDashboardSession, type SessionCheck } from '../../services/dashboard-sessions.ts';
import { serviceUnavailable } from '../problem.ts';
import { DASHBOARD_PATH } from './pages.ts';

export const SESSION_COOKIE = 'bw_dashboard_session';

/** Whether cookies must be Secure: anywhere but http://localhost and other loopback hosts. */
export function secureCookies(publicBaseUrl: string): boolean {
  const url = new URL(publicBaseUrl);
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return !(url.protocol === 'http:' && loopback);
}

/** A Set-Cookie value for an HttpOnly session cookie on `path` (Max-Age 0 deletes it). */
export function httpOnlyCookie(
  name: string,
  value: string,
  options: { path: string; maxAgeSeconds: number; sameSite: 'Strict' | 'Lax'; secure: boolean },
): string {
  return [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    'HttpOnly',
    `SameSite=${options.sameSite}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** The Set-Cookie value that stores `token` for `maxAgeSeconds` (0 deletes the cookie). */
export function sessionCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return httpOnlyCookie(SESSION_COOKIE, token, {
    path: DASHBOARD_PATH,
    maxAgeSeconds,
    sameSite: 'Strict',
    secure,
  });
}

/** The value of the cookie `name` in a request's Cookie header, if any. */
export function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The session token the request's Cookie header carries, if any. */
export function sessionToken(cookieHeader: string | undefined): string | undefined {
  return cookieValue(cookieHeader, SESSION_COOKIE);
}

/** The session cookies of one API: what they are signed with, how they are set and read. */
export function sessionCookies(db: Db, signingSecret: string | undefined, secure: boolean) {
  const secret = (): string => {
    if (!signingSecret)
      throw serviceUnavailable(
        'The finance dashboard is not configured: set BILLWRIGHT_SIGNING_SECRET (npm start creates one).',
      );
    return signingSecret;
  };
  return {
    secret,
    /** Stores the token for `maxAgeSeconds`. */
    cookie: (token: string, maxAgeSeconds: number) => sessionCookie(token, maxAgeSeconds, secure),
    /** Deletes the cookie. */
    deleted: sessionCookie('', 0, secure),
    /** The session the request's Cookie header holds, or why none (token: whether it had one). */
    async of(
      cookieHeader: string | undefined,
    ): Promise<SessionCheck & { token: string | undefined }> {
      const token = sessionToken(cookieHeader);
      if (token === undefined) return { ok: false, reason: 'invalid', token };
      return { ...(await openDashboardSession(db, secret(), token)), token };
    },
  };
}
