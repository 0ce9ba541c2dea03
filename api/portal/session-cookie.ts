// The portal's session cookie, set the way the dashboard's is (api/dashboard/session-cookie.ts):
// HttpOnly, Path=/portal (the rest of the API never receives it) and Secure unless the API is
// reached over plain HTTP on this machine. SameSite=Lax rather than Strict: customers arrive
// from a link in their mailbox, and the session's forms carry a CSRF token besides.
import { cookieValue, httpOnlyCookie, secureCookies } from '../dashboard/session-cookie.ts';

export const PORTAL_PATH = '/portal';
export const LOGIN_PATH = `${PORTAL_PATH}/login`;
export const PORTAL_COOKIE = 'bw_portal_session';

/** The Set-Cookie value that stores `token` for `maxAgeSeconds` (0 deletes the cookie). */
export function portalCookie(token: string, maxAgeSeconds: number, publicBaseUrl: string): string {
  return httpOnlyCookie(PORTAL_COOKIE, token, {
    path: PORTAL_PATH,
    maxAgeSeconds,
    sameSite: 'Lax',
    secure: secureCookies(publicBaseUrl),
  });
}

/** The session token the request's Cookie header carries, if any. */
export function portalToken(cookieHeader: string | undefined): string | undefined {
  return cookieValue(cookieHeader, PORTAL_COOKIE);
}
