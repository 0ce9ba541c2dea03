// QUICKBOOKS_*: the accounting sync's connection to QuickBooks Online. Unset realm: no sync (the
// API answers that accounting is not configured); a realm with anything missing refuses to start.
import type { QuickBooksOptions } from '../accounting/quickbooks.ts';

export function quickbooksFromEnv(env: NodeJS.ProcessEnv): QuickBooksOptions | undefined {
  const realmId = env.QUICKBOOKS_REALM_ID?.trim();
  if (!realmId) return undefined;
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new Error(`QUICKBOOKS_REALM_ID is set, so ${name} must be too`);
    return value;
  };
  const refreshToken = env.QUICKBOOKS_REFRESH_TOKEN?.trim() || undefined;
  const clientId = env.QUICKBOOKS_CLIENT_ID?.trim() || undefined;
  const clientSecret = env.QUICKBOOKS_CLIENT_SECRET?.trim() || undefined;
  if (refreshToken && !(clientId && clientSecret)) {
    throw new Error(
      'QUICKBOOKS_REFRESH_TOKEN needs QUICKBOOKS_CLIENT_ID and QUICKBOOKS_CLIENT_SECRET',
    );
  }
  const itemRefs = refMap(env, 'QUICKBOOKS_ITEM_REFS', ['subscription', 'manual', 'project']);
  return {
    realmId,
    accessToken: required('QUICKBOOKS_ACCESS_TOKEN'),
    refreshToken,
    clientId,
    clientSecret,
    baseUrl: env.QUICKBOOKS_BASE_URL?.trim() || undefined,
    tokenUrl: env.QUICKBOOKS_TOKEN_URL?.trim() || undefined,
    itemRefs: { ...itemRefs, default: required('QUICKBOOKS_ITEM_REF') },
    taxCodeRefs: refMap(env, 'QUICKBOOKS_TAX_CODE_REFS'),
    depositAccountRef: env.QUICKBOOKS_DEPOSIT_ACCOUNT_REF?.trim() || undefined,
  };
}

/** A JSON object of QuickBooks ids by name, e.g. {"subscription":"1","project":"7"}. */
function refMap(
  env: NodeJS.ProcessEnv,
  name: string,
  keys?: readonly string[],
): Record<string, string> {
  const text = env[name]?.trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${name} must be a JSON object of QuickBooks ids, got "${text}"`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${name} must be a JSON object of QuickBooks ids`);
  }
  const refs: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (keys && !keys.includes(key)) {
      throw new Error(`${name}: "${key}" is not one of ${keys.join(', ')}`);
    }
    if (typeof value !== 'string' || value === '') {
      throw new Error(`${name}: "${key}" must name a QuickBooks id (a string)`);
    }
    refs[key] = value;
  }
  return refs;
}
