// Links to an invoice's hosted page that need no login: the URL carries its expiry and an
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

function signature(invoiceId: string, expiresSeconds: number, secret: string): Buffer {
  return createHmac('sha256', secret)
    .update(`${PURPOSE}\n${invoiceId}\n${expiresSeconds}`)
    .digest();
}

function assertSecret(secret: string): void {
  if (secret.length < 16) throw new RangeError('the signing secret must be at least 16 characters');
}

/** The path of an invoice's hosted page, relative to the API's public base URL. */
export function hostedInvoicePath(invoiceId: string): string {
  return `/hosted/invoices/${encodeURIComponent(invoiceId)}`;
}

/**
 * `<baseUrl>/hosted/invoices/<id>?expires=<unix seconds>&signature=<base64url>`. The same query
 * also opens the PDF at `…/hosted/invoices/<id>/pdf`.
 */
export function signHostedInvoiceLink(
  baseUrl: string,
  invoiceId: string,
  expiresAt: Date,
  secret: string,
): string {
  assertSecret(secret);
  const expires = Math.floor(expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(expires)) throw new RangeError('expiresAt is not a valid date');
  const url = new URL(hostedInvoicePath(invoiceId), `${baseUrl.replace(/\/+$/, '')}/`);
  url.search = new URLSearchParams({
    expires: String(expires),
    signature: signature(invoiceId, expires, secret).toString('base64url'),
  }).toString();
  return url.toString();
}

/**
 * Checks a link's `expires` and `signature` query values for an invoice. The signature is checked
 * first and in constant time; only a genuine link learns that it has expired.
 */
export function verifyHostedInvoiceLink(
  invoiceId: string,
  query: { expires?: string | undefined; signature?: string | undefined },
  secret: string,
  now: Date = new Date(),
): HostedLinkCheck {
  assertSecret(secret);
  const { expires, signature: given } = query;
  if (!expires || !/^\d{1,15}$/.test(expires) || !given) return { ok: false, reason: 'invalid' };
  const expected = signature(invoiceId, Number(expires), secret);
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
