import { randomBytes } from 'node:crypto';

// Stripe-style ids: a prefix that says what the thing is, then 20 random base32 characters
// (100 bits). Readable in logs and the Temporal UI, and carry no personal data.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export type IdPrefix =
  | 'cus'
  | 'plan'
  | 'sub'
  | 'inv'
  | 'cn'
  | 'key'
  | 'msg'
  | 'cpn'
  | 'cpr'
  | 'est'
  | 'clock'
  | 'prj'
  | 'te'
  | 'pay'
  | 'dpol'
  | 'pmig'
  | 'wfs'
  | 'acsync'
  | 'je'
  | 'we'
  | 'evt'
  | 'pco'
  | 'pfl'
  | 'wal'
  | 'wgr'
  | 'wtx'
  | 'plink'
  | 'quo'
  | 'sal'
  | 'sac';

export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(20);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return `${prefix}_${out}`;
}
