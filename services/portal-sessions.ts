// How customers get into their portal. A magic link is asked for by the operator (POST
// /v1/customers/:id/portal-links) or by the customer (the portal's login form, by billing email);
// it is a row in portal_links, signed into a URL (documents/hosted-links.ts), valid for
// PORTAL_LINK_MINUTES and good for ONE session: opening it consumes the row in one statement.
// The session is a random token in an HttpOnly cookie; only its SHA-256 is stored, with a CSRF
// token for the session's forms, an idle limit and an absolute one. As the finance dashboard's
// sessions (services/dashboard-sessions.ts) its checks run on every page; unlike them a portal
// session is a row, so a logout ends it on the server too.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/connect.ts';
import type { Customer, PortalSession } from '../db/database.ts';
import { getCustomer } from '../db/repositories/customers.ts';
import { newId } from '../db/ids.ts';
import {
  consumePortalLink,
  countRequestedLinksSince,
  customersByBillingEmail,
  endPortalSession,
  getPortalLink,
  insertPortalLink,
  insertPortalSession,
  touchPortalSession,
} from '../db/repositories/portal.ts';
import { signPortalLink, verifyPortalLink } from '../documents/hosted-links.ts';
import type { DocumentRenderer } from '../documents/renderer.ts';
import type { Brand } from '../documents/views.ts';
import type { SellerDetails } from '../domain/invoicing/seller.ts';
import type { EmailSender } from '../email/port.ts';
import { Refused } from './refused.ts';

/** A magic link works this long: long enough to switch to the mailbox, short if it leaks. */
export const PORTAL_LINK_MINUTES = 15;
/** A session left alone this long is over. */
export const PORTAL_IDLE_MINUTES = 30;
/** A session is over this long after it began, however busy. */
export const PORTAL_SESSION_HOURS = 12;
/** The login form sends a customer at most this many links per PORTAL_LINK_MINUTES. */
export const PORTAL_LINKS_PER_WINDOW = 3;

const MINUTE_MS = 60_000;

/** What sending a link needs: where links point, what signs them, and how email goes out. */
export interface PortalLinkDependencies {
  db: Db;
  /** BILLWRIGHT_SIGNING_SECRET; without it there are no links. */
  signingSecret: string | undefined;
  publicBaseUrl: string;
  email: EmailSender;
  emailFrom: string;
  renderer: DocumentRenderer;
  seller: SellerDetails;
  brand: Brand;
}

export interface IssuedPortalLink {
  url: string;
  expiresAt: Date;
  /** The outbox's (or Resend's) message id, when the link was emailed. */
  messageId: string | undefined;
}

function secretOf(signingSecret: string | undefined): string {
  if (!signingSecret)
    throw new Refused(
      'unavailable',
      'The customer portal is not configured: set BILLWRIGHT_SIGNING_SECRET (npm start creates one).',
    );
  return signingSecret;
}

async function issueLink(
  deps: PortalLinkDependencies,
  customer: Customer,
  requestedBy: 'operator' | 'customer',
  sendEmail: boolean,
  now: Date,
): Promise<IssuedPortalLink> {
  const secret = secretOf(deps.signingSecret);
  const id = newId('plink');
  // Whole seconds: the expiry stored is exactly the one signed into the URL.
  const expiresAt = new Date(
    Math.floor((now.getTime() + PORTAL_LINK_MINUTES * MINUTE_MS) / 1000) * 1000,
  );
  await insertPortalLink(deps.db, { id, customerId: customer.id, requestedBy, expiresAt });
  const url = signPortalLink(deps.publicBaseUrl, id, expiresAt, secret);
  if (!sendEmail) return { url, expiresAt, messageId: undefined };
  const message = deps.renderer.renderPortalLinkEmail({
    seller: deps.seller,
    brand: deps.brand,
    customer: { name: customer.name, locale: customer.locale, timezone: customer.timezone },
    portalUrl: url,
    validMinutes: PORTAL_LINK_MINUTES,
  });
  // One link, one email: a retried send with the link's key sends nothing new.
  const { messageId } = await deps.email.send(
    {
      from: deps.emailFrom,
      to: [customer.email],
      replyTo: deps.seller.email,
      subject: message.subject,
      html: message.html,
      text: message.text,
      tags: { kind: 'portal_link' },
    },
    { idempotencyKey: `portal-link/${id}` },
  );
  return { url, expiresAt, messageId };
}

/** The operator's request: a link for the customer, emailed to their billing address or not. */
export async function issuePortalLink(
  deps: PortalLinkDependencies,
  customerId: string,
  options: { sendEmail: boolean },
  now: Date = new Date(),
): Promise<IssuedPortalLink> {
  const customer = await getCustomer(deps.db, customerId);
  if (!customer) throw new Refused('not_found', `Customer ${customerId} does not exist.`);
  return issueLink(deps, customer, 'operator', options.sendEmail, now);
}

/**
 * The login form's request: every customer billed at this address is emailed a link, unless it
 * was sent PORTAL_LINKS_PER_WINDOW already within the window. The caller answers the same
 * whatever happened here, so the form tells nobody whether an address is a customer's.
 */
export async function requestPortalLinkByEmail(
  deps: PortalLinkDependencies,
  email: string,
  now: Date = new Date(),
): Promise<void> {
  secretOf(deps.signingSecret);
  const since = new Date(now.getTime() - PORTAL_LINK_MINUTES * MINUTE_MS);
  for (const customer of await customersByBillingEmail(deps.db, email.trim())) {
    if ((await countRequestedLinksSince(deps.db, customer.id, since)) >= PORTAL_LINKS_PER_WINDOW)
      continue;
    await issueLink(deps, customer, 'customer', true, now);
  }
}

/** Why a link opens no session: forged or mangled, past its expiry, or used already. */
export type PortalLinkRefusal = 'invalid' | 'expired' | 'used';

/**
 * A refused link; `locale` is its customer's when the link is genuine (signed by us), so its
 * page speaks their language. A forged link learns nothing, not even that.
 */
export type PortalLinkRefused = { ok: false; reason: PortalLinkRefusal; locale?: string };

export type PortalSignIn =
  { ok: true; token: string; customerId: string; expiresAt: Date } | PortalLinkRefused;

async function refusedLink(
  db: Db,
  linkId: string,
  reason: PortalLinkRefusal,
): Promise<PortalLinkRefused> {
  if (reason === 'invalid') return { ok: false, reason };
  const link = await getPortalLink(db, linkId);
  return link ? { ok: false, reason, locale: link.locale } : { ok: false, reason: 'invalid' };
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Exchanges a magic link for a session: the signature and expiry first (no database read for a
 * forged link), then the link's row is consumed and the session inserted in one transaction.
 */
export async function signInWithPortalLink(
  db: Db,
  signingSecret: string | undefined,
  linkId: string,
  query: { expires?: string | undefined; signature?: string | undefined },
  now: Date = new Date(),
): Promise<PortalSignIn> {
  const check = verifyPortalLink(linkId, query, secretOf(signingSecret), now);
  if (!check.ok) return refusedLink(db, linkId, check.reason);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + PORTAL_SESSION_HOURS * 60 * MINUTE_MS);
  const customerId = await db.transaction().execute(async (trx) => {
    const link = await consumePortalLink(trx, linkId, now);
    if (!link) return undefined;
    await insertPortalSession(trx, {
      tokenHash: hashOf(token),
      customerId: link.customerId,
      linkId,
      csrfToken: randomBytes(24).toString('base64url'),
      now,
      expiresAt,
    });
    return link.customerId;
  });
  if (!customerId) return refusedLink(db, linkId, 'used');
  return { ok: true, token, customerId, expiresAt };
}

/**
 * Whether a link would sign in now, without using it up: its signature and expiry, then whether
 * it was used already. The link's page shows a refusal at once rather than after the click.
 */
export async function checkPortalLink(
  db: Db,
  signingSecret: string | undefined,
  linkId: string,
  query: { expires?: string | undefined; signature?: string | undefined },
  now: Date = new Date(),
): Promise<{ ok: true; locale: string } | PortalLinkRefused> {
  const check = verifyPortalLink(linkId, query, secretOf(signingSecret), now);
  if (!check.ok) return refusedLink(db, linkId, check.reason);
  const link = await getPortalLink(db, linkId);
  if (!link) return { ok: false, reason: 'invalid' };
  if (link.consumed_at) return { ok: false, reason: 'used', locale: link.locale };
  return { ok: true, locale: link.locale };
}

/** The live session a cookie's token opens now (and keeps open), or undefined. */
export async function openPortalSession(
  db: Db,
  token: string | undefined,
  now: Date = new Date(),
): Promise<PortalSession | undefined> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const idleSince = new Date(now.getTime() - PORTAL_IDLE_MINUTES * MINUTE_MS);
  return touchPortalSession(db, hashOf(token), now, idleSince);
}

/** Whether a form's CSRF token is the session's (compared in constant time). */
export function isSessionForm(session: PortalSession, csrfToken: string | undefined): boolean {
  const expected = Buffer.from(session.csrf_token);
  const presented = Buffer.from(csrfToken ?? '');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** Logout: the session ends on the server, whatever the browser keeps. */
export async function signOutOfPortal(
  db: Db,
  token: string | undefined,
  now: Date = new Date(),
): Promise<void> {
  if (token) await endPortalSession(db, hashOf(token), now);
}
