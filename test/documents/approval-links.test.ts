// Milestone approval links: signed like hosted invoice links, bound to one project, milestone
// and approval round, expiring; a hosted invoice signature never opens an approval.
import { describe, expect, test } from 'vitest';
import {
  signHostedInvoiceLink,
  signMilestoneApprovalLink,
  verifyMilestoneApprovalLink,
} from '../../documents/hosted-links.ts';

const SECRET = 'approval-links-unit-test-secret-0123456789';
const NOW = new Date('2027-01-10T09:00:00Z');
const EXPIRES = new Date('2027-03-01T00:00:00Z');
const subject = { projectId: 'prj_abc', milestoneKey: 'design', round: 2 };

function queryOf(url: string) {
  return Object.fromEntries(new URL(url).searchParams);
}

describe('milestone approval links', () => {
  const url = signMilestoneApprovalLink('https://billing.example.com/', subject, EXPIRES, SECRET);

  test('point at the approval page and verify for their round', () => {
    expect(url).toMatch(
      /^https:\/\/billing\.example\.com\/hosted\/projects\/prj_abc\/milestones\/design\/approval\?round=2&expires=\d+&signature=[\w-]+$/,
    );
    expect(
      verifyMilestoneApprovalLink(
        { projectId: 'prj_abc', milestoneKey: 'design' },
        queryOf(url),
        SECRET,
        NOW,
      ),
    ).toEqual({ ok: true, round: 2 });
  });

  test('another milestone, project or round, a changed expiry or secret: invalid', () => {
    const query = queryOf(url);
    const check = (s: { projectId: string; milestoneKey: string }, q = query, secret = SECRET) =>
      verifyMilestoneApprovalLink(s, q, secret, NOW);
    const invalid = { ok: false, reason: 'invalid' };
    expect(check({ projectId: 'prj_abc', milestoneKey: 'build' })).toEqual(invalid);
    expect(check({ projectId: 'prj_xyz', milestoneKey: 'design' })).toEqual(invalid);
    expect(
      check({ projectId: 'prj_abc', milestoneKey: 'design' }, { ...query, round: '3' }),
    ).toEqual(invalid);
    expect(
      check(
        { projectId: 'prj_abc', milestoneKey: 'design' },
        { ...query, expires: String(Number(query.expires) + 1) },
      ),
    ).toEqual(invalid);
    expect(
      check(
        { projectId: 'prj_abc', milestoneKey: 'design' },
        query,
        'another-secret-of-enough-length-000',
      ),
    ).toEqual(invalid);
    expect(check({ projectId: 'prj_abc', milestoneKey: 'design' }, { round: '2' })).toEqual(
      invalid,
    );
  });

  test('an invoice link’s signature does not open an approval (domain separation)', () => {
    const invoice = queryOf(signHostedInvoiceLink('https://b.example', 'prj_abc', EXPIRES, SECRET));
    expect(
      verifyMilestoneApprovalLink(
        { projectId: 'prj_abc', milestoneKey: 'design' },
        { ...invoice, round: '2' },
        SECRET,
        NOW,
      ),
    ).toEqual({ ok: false, reason: 'invalid' });
  });

  test('a genuine link past its expiry is expired', () => {
    expect(
      verifyMilestoneApprovalLink(
        { projectId: 'prj_abc', milestoneKey: 'design' },
        queryOf(url),
        SECRET,
        new Date('2027-03-01T00:00:01Z'),
      ),
    ).toEqual({ ok: false, reason: 'expired' });
  });
});
