// Links to an invoice's (or a credit note's, or a receipt's) hosted page that need no login: the URL carries its expiry and an
// HMAC-SHA256 signature over the invoice id and that expiry, keyed by the platform's signing
// secret (BILLWRIGHT_SIGNING_SECRET). Anyone holding the link may view that one invoice until it
// expires; nobody can forge a link for another invoice or stretch the expiry.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const DEFAULT_HOSTED_LINK_DAYS = 30;
const DAY_MS = 86_400_000;
/** Domain separation: a signature made for something else never verifies here. */
const PURPOSE = 'billwright/hosted-invoice/v1';

/** What the API answers for a link: good, forged or mangled, or genuine but past its expiry. */
export type HostedLinkCheck = { ok: true } | { ok: false; reason: 'invalid' | 'expired' };

/** What else a customer may be linked to: a credit note, a payment's receipt, a quote to answer. */
export type HostedDocumentKind = 'credit-notes' | 'receipts' | 'quotes';

function purposeOf(kind: HostedDocumentKind | 'invoices'): string {
  return kind === 'invoices' ? PURPOSE : `billwright/hosted-${kind}/v1`;
}

function signature(
  subjectId: string,
  expiresSeconds: number,
  secret: string,
  purpose: string = PURPOSE,
): Buffer {
  return createHmac('sha256', secret)
    .update(`${purpose}\n${subjectId}\n${expiresSeconds}`)
    .digest();
}

function assertSecret(secret: string): void {
  if (secret.length < 16) throw new RangeError('the signing secret must be at least 16 characters');
}

/** The path of a credit note's or receipt's hosted page (a receipt goes by its payment's id). */
export function hostedDocumentPath(kind: HostedDocumentKind | 'invoices', id: string): string {
  return `/hosted/${kind}/${encodeURIComponent(id)}`;
}

/**
 * `<baseUrl>/hosted/<kind>/<id>?expires=<unix seconds>&signature=<base64url>`. The same query
 * also opens the PDF at `…/hosted/<kind>/<id>/pdf`. Each kind signs under its own purpose, so a
 * link to one never opens another.
 */
export function signHostedDocumentLink(
  baseUrl: string,
  kind: HostedDocumentKind | 'invoices',
  id: string,
  expiresAt: Date,
  secret: string,
): string {
  return signedUrl(baseUrl, hostedDocumentPath(kind, id), id, expiresAt, secret, purposeOf(kind));
}

/** `<baseUrl><path>?expires=&signature=`, the signature over `subject` and the expiry. */
function signedUrl(
  baseUrl: string,
  path: string,
  subject: string,
  expiresAt: Date,
  secret: string,
  purpose: string,
): string {
  assertSecret(secret);
  const expires = Math.floor(expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(expires)) throw new RangeError('expiresAt is not a valid date');
  const url = new URL(path, `${baseUrl.replace(/\/+$/, '')}/`);
  url.search = new URLSearchParams({
    expires: String(expires),
    signature: signature(subject, expires, secret, purpose).toString('base64url'),
  }).toString();
  return url.toString();
}

/** An invoice's hosted link (see signHostedDocumentLink). */
export function signHostedInvoiceLink(
  baseUrl: string,
  invoiceId: string,
  expiresAt: Date,
  secret: string,
): string {
  return signHostedDocumentLink(baseUrl, 'invoices', invoiceId, expiresAt, secret);
}

/**
 * Checks a link's `expires` and `signature` query values for one document. The signature is
 * checked first and in constant time; only a genuine link learns that it has expired.
 */
export function verifyHostedDocumentLink(
  kind: HostedDocumentKind | 'invoices',
  id: string,
  query: { expires?: string | undefined; signature?: string | undefined },
  secret: string,
  now: Date = new Date(),
): HostedLinkCheck {
  return verifySigned(id, query, secret, purposeOf(kind), now);
}

/** A link's `expires` and `signature` for `subject` under `purpose`: signature first, then expiry. */
function verifySigned(
  subject: string,
  query: { expires?: string | undefined; signature?: string | undefined },
  secret: string,
  purpose: string,
  now: Date,
): HostedLinkCheck {
  assertSecret(secret);
  const { expires, signature: given } = query;
  if (!expires || !/^\d{1,15}$/.test(expires) || !given) return { ok: false, reason: 'invalid' };
  const expected = signature(subject, Number(expires), secret, purpose);
  const presented = Buffer.from(given, 'base64url');
  // base64url decoding is lenient (it skips stray characters): compare the canonical spelling too.
  if (
    presented.length !== expected.length ||
    !timingSafeEqual(presented, expected) ||
    presented.toString('base64url') !== given
  ) {
    return { ok: false, reason: 'invalid' };
  }
  if (Number(expires) * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true };
}

/** An invoice's link check (see verifyHostedDocumentLink). */
export function verifyHostedInvoiceLink(
  invoiceId: string,
  query: { expires?: string | undefined; signature?: string | undefined },
  secret: string,
  now: Date = new Date(),
): HostedLinkCheck {
  return verifyHostedDocumentLink('invoices', invoiceId, query, secret, now);
}

/**
 * The link to put in an invoice email (or anywhere a customer should see the invoice): valid
 * for `expiresInDays` (default 30) from `now`.
 */
export function createHostedInvoiceLink(input: {
  /** The API's public base URL (PUBLIC_BASE_URL), e.g. https://billing.example.com. */
  baseUrl: string;
  /** BILLWRIGHT_SIGNING_SECRET. */
  secret: string;
  invoiceId: string;
  expiresInDays?: number;
  now?: Date;
}): { url: string; expiresAt: Date } {
  const days = input.expiresInDays ?? DEFAULT_HOSTED_LINK_DAYS;
  if (!(days > 0)) throw new RangeError(`expiresInDays must be positive, got ${days}`);
  // Whole seconds, so the expiry returned is exactly the one signed into the URL.
  const expiresMs = (input.now ?? new Date()).getTime() + days * DAY_MS;
  const expiresAt = new Date(Math.floor(expiresMs / 1000) * 1000);
  return {
    url: signHostedInvoiceLink(input.baseUrl, input.invoiceId, expiresAt, input.secret),
    expiresAt,
  };
}

/** Domain separation for milestone approval links (a hosted-invoice signature never verifies here). */
const APPROVAL_PURPOSE = 'billwright/milestone-approval/v1';

function approvalSignature(subject: string, expiresSeconds: number, secret: string): Buffer {
  return createHmac('sha256', secret)
    .update(`${APPROVAL_PURPOSE}\n${subject}\n${expiresSeconds}`)
    .digest();
}

/** What an approval link is for: one milestone's approval request (a re-completion is a new round). */
export interface ApprovalLinkSubject {
  projectId: string;
  milestoneKey: string;
  round: number;
}

const subjectOf = (s: ApprovalLinkSubject) => `${s.projectId}\n${s.milestoneKey}\n${s.round}`;

/** The path of a milestone's approval page, relative to the API's public base URL. */
export function milestoneApprovalPath(projectId: string, milestoneKey: string): string {
  return `/hosted/projects/${encodeURIComponent(projectId)}/milestones/${encodeURIComponent(milestoneKey)}/approval`;
}

/**
 * `<baseUrl>/hosted/projects/<id>/milestones/<key>/approval?round=&expires=&signature=`, signed
 * like hosted invoice links (HMAC-SHA256 with the platform's signing secret), for one round.
 */
export function signMilestoneApprovalLink(
  baseUrl: string,
  subject: ApprovalLinkSubject,
  expiresAt: Date,
  secret: string,
): string {
  assertSecret(secret);
  const expires = Math.floor(expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(expires)) throw new RangeError('expiresAt is not a valid date');
  const url = new URL(
    milestoneApprovalPath(subject.projectId, subject.milestoneKey),
    `${baseUrl.replace(/\/+$/, '')}/`,
  );
  url.search = new URLSearchParams({
    round: String(subject.round),
    expires: String(expires),
    signature: approvalSignature(subjectOf(subject), expires, secret).toString('base64url'),
  }).toString();
  return url.toString();
}

/** Checks an approval link's query, in constant time, as verifyHostedInvoiceLink does. */
export function verifyMilestoneApprovalLink(
  subject: Omit<ApprovalLinkSubject, 'round'>,
  query: {
    round?: string | undefined;
    expires?: string | undefined;
    signature?: string | undefined;
  },
  secret: string,
  now: Date = new Date(),
): HostedLinkCheck & { round?: number } {
  assertSecret(secret);
  const { round, expires, signature: given } = query;
  if (!round || !/^\d{1,6}$/.test(round)) return { ok: false, reason: 'invalid' };
  if (!expires || !/^\d{1,15}$/.test(expires) || !given) return { ok: false, reason: 'invalid' };
  const expected = approvalSignature(
    subjectOf({ ...subject, round: Number(round) }),
    Number(expires),
    secret,
  );
  const presented = Buffer.from(given, 'base64url');
  if (
    presented.length !== expected.length ||
    !timingSafeEqual(presented, expected) ||
    presented.toString('base64url') !== given
  ) {
    return { ok: false, reason: 'invalid' };
  }
  if (Number(expires) * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, round: Number(round) };
}

/** Domain separation for the customer portal's magic links. */
const PORTAL_LINK_PURPOSE = 'billwright/portal-link/v1';

/** The path of a portal sign-in link, relative to the API's public base URL. */
export function portalLinkPath(linkId: string): string {
  return `/portal/links/${encodeURIComponent(linkId)}`;
}

/**
 * `<baseUrl>/portal/links/<link id>?expires=<unix seconds>&signature=<base64url>`: a magic link
 * into the customer portal, signed as hosted links are, under its own purpose. The signature
 * proves who made the link and until when; the link's row (portal_links) makes it single use.
 */
export function signPortalLink(
  baseUrl: string,
  linkId: string,
  expiresAt: Date,
  secret: string,
): string {
  return signedUrl(baseUrl, portalLinkPath(linkId), linkId, expiresAt, secret, PORTAL_LINK_PURPOSE);
}

/** Checks a portal link's query in constant time, as verifyHostedDocumentLink does. */
export function verifyPortalLink(
  linkId: string,
  query: { expires?: string | undefined; signature?: string | undefined },
  secret: string,
  now: Date = new Date(),
): HostedLinkCheck {
  return verifySigned(linkId, query, secret, PORTAL_LINK_PURPOSE, now);
}
