// Signed hosted-invoice links: what verifies, what does not, and when they expire.
import { describe, expect, it } from 'vitest';
import {
  createHostedInvoiceLink,
  signHostedInvoiceLink,
  verifyHostedInvoiceLink,
} from '../../documents/hosted-links.ts';

const SECRET = 'unit-test-secret-0123456789abcdef';
const NOW = new Date('2027-01-01T12:00:00Z');

function queryOf(url: string) {
  const u = new URL(url);
  return {
    path: u.pathname,
    expires: u.searchParams.get('expires') ?? undefined,
    signature: u.searchParams.get('signature') ?? undefined,
  };
}

describe('hosted invoice links', () => {
  const url = signHostedInvoiceLink(
    'https://billing.example.com/',
    'inv_123',
    new Date('2027-01-31T12:00:00Z'),
    SECRET,
  );
  const q = queryOf(url);

  it('carries the invoice path, the expiry in Unix seconds and a base64url HMAC', () => {
    expect(q.path).toBe('/hosted/invoices/inv_123');
    expect(q.expires).toBe(String(Date.parse('2027-01-31T12:00:00Z') / 1000));
    expect(q.signature).toMatch(/^[\w-]{43}$/);
  });

  it('verifies until it expires, then says expired', () => {
    expect(verifyHostedInvoiceLink('inv_123', q, SECRET, NOW)).toEqual({ ok: true });
    expect(verifyHostedInvoiceLink('inv_123', q, SECRET, new Date('2027-01-31T12:00:00Z'))).toEqual(
      { ok: false, reason: 'expired' },
    );
  });

  it('refuses another invoice, another expiry, another secret, a flipped bit', () => {
    const invalid = { ok: false, reason: 'invalid' };
    expect(verifyHostedInvoiceLink('inv_124', q, SECRET, NOW)).toEqual(invalid);
    expect(
      verifyHostedInvoiceLink(
        'inv_123',
        { ...q, expires: String(Number(q.expires) + 1) },
        SECRET,
        NOW,
      ),
    ).toEqual(invalid);
    expect(verifyHostedInvoiceLink('inv_123', q, `${SECRET}x`, NOW)).toEqual(invalid);
    const bytes = Buffer.from(q.signature!, 'base64url');
    bytes[0]! ^= 1;
    expect(
      verifyHostedInvoiceLink(
        'inv_123',
        { ...q, signature: bytes.toString('base64url') },
        SECRET,
        NOW,
      ),
    ).toEqual(invalid);
  });

  it('refuses missing, malformed and non-canonical parts', () => {
    const invalid = { ok: false, reason: 'invalid' };
    for (const query of [
      {},
      { expires: q.expires },
      { signature: q.signature },
      { ...q, expires: '1e12' },
      { ...q, expires: '-1' },
      { ...q, signature: `${q.signature}=` },
      { ...q, signature: `${q.signature!.slice(0, 20)}.${q.signature!.slice(20)}` },
    ]) {
      expect(verifyHostedInvoiceLink('inv_123', query, SECRET, NOW), JSON.stringify(query)).toEqual(
        invalid,
      );
    }
  });

  it('even an expired link with a bad signature is just invalid (forgers learn nothing)', () => {
    const past = queryOf(
      signHostedInvoiceLink('https://x.test', 'inv_123', new Date('2026-01-01T00:00:00Z'), SECRET),
    );
    expect(
      verifyHostedInvoiceLink('inv_123', { ...past, signature: q.signature }, SECRET, NOW),
    ).toEqual({ ok: false, reason: 'invalid' });
  });

  it('createHostedInvoiceLink: 30 days by default, the expiry returned is the one signed', () => {
    const link = createHostedInvoiceLink({
      baseUrl: 'https://billing.example.com',
      secret: SECRET,
      invoiceId: 'inv_9',
      now: new Date('2027-01-01T12:00:00.750Z'),
    });
    expect(link.expiresAt.toISOString()).toBe('2027-01-31T12:00:00.000Z');
    const lq = queryOf(link.url);
    expect(Number(lq.expires) * 1000).toBe(link.expiresAt.getTime());
    expect(verifyHostedInvoiceLink('inv_9', lq, SECRET, NOW)).toEqual({ ok: true });
  });

  it('rejects weak secrets', () => {
    expect(() => signHostedInvoiceLink('https://x.test', 'inv_1', NOW, 'short')).toThrow(/secret/);
  });
});
