// Wallets and credit grants, the use cases behind /v1/customers/:id/wallets and /v1/wallets.
// A promotional grant is usable at once; a purchased grant creates the invoice that sells it
// (exempt: a multi-purpose voucher is taxed when used, see docs/WALLETS.md) and waits for that
// invoice to be paid. A grant with an expiry gets its durable timer (the expiry workflow),
// started in the grant's transaction: the grant commits only if its timer started.
import type { Client } from '@temporalio/client';
import { getCustomer } from '../db/repositories/customers.ts';
import type { FinalizeOptions } from '../db/repositories/invoice-finalization.ts';
import { getPlanByCode } from '../db/repositories/plans.ts';
import { customerNow, testClockRefOf } from '../db/repositories/test-clocks.ts';
import type { Wallet, WalletGrant, WalletTransaction } from '../db/database.ts';
import {
  createCreditSaleInvoice,
  getGrant,
  getWallet,
  insertGrant,
  insertWallet,
  listGrants,
  listWalletTransactions,
  listWallets as listWalletRows,
  walletBalances,
} from '../db/repositories/wallets.ts';
import { voidGrant as voidGrantRow } from '../db/repositories/wallet-grants.ts';
import type { GrantKind } from '../domain/wallets/draw.ts';
import { walletGrantExpiryStartOptions } from '../temporal/wallet-start.ts';
import type { WorkflowStartSettings } from '../temporal/workflow-starts.ts';
import type { walletGrantExpiryWorkflow } from '../workflows/wallet-grant-expiry.ts';
import { temporalCall, type ServiceDependencies } from './dependencies.ts';
import { finalizeAndFollow } from './invoice-finalization.ts';
import { refusingAsInvoice } from './invoice-refusals.ts';
import { balanceChanged } from './balance.ts';
import { Refused } from './refused.ts';

export interface WalletWithBalance extends Wallet {
  /** Usable credit now (active grants' remaining). */
  balance: number;
  /** Purchased credit whose invoice is not paid yet. */
  pending: number;
}

export interface NewWalletRequest {
  name: string;
  currency?: string | undefined;
  priority?: number | undefined;
  planCodes?: string[] | null | undefined;
}

async function withBalance(deps: ServiceDependencies, wallet: Wallet): Promise<WalletWithBalance> {
  const balances = await walletBalances(deps.db, [wallet.id]);
  return { ...wallet, ...balances.get(wallet.id)! };
}

async function existingWallet(deps: ServiceDependencies, id: string): Promise<Wallet> {
  const wallet = await getWallet(deps.db, id);
  if (!wallet) throw new Refused('not_found', `wallet ${id} does not exist`);
  return wallet;
}

export async function createWallet(
  deps: ServiceDependencies,
  customerId: string,
  request: NewWalletRequest,
): Promise<WalletWithBalance> {
  const customer = await getCustomer(deps.db, customerId);
  if (!customer) throw new Refused('not_found', `customer ${customerId} does not exist`);
  if (request.currency !== undefined && request.currency !== customer.currency) {
    // Invoices are in the customer's currency: credit in another would never be used.
    throw new Refused('unprocessable', `customer ${customerId} is billed in ${customer.currency}`, {
      field: 'currency',
    });
  }
  const planCodes = request.planCodes ?? null;
  for (const [i, code] of (planCodes ?? []).entries()) {
    if (!(await getPlanByCode(deps.db, code))) {
      throw new Refused('unprocessable', `no plan has code ${code}`, {
        field: `planCodes[${i}]`,
      });
    }
  }
  const wallet = await insertWallet(deps.db, {
    customerId,
    currency: customer.currency,
    name: request.name,
    priority: request.priority ?? 1,
    planCodes: planCodes === null ? null : [...new Set(planCodes)],
  });
  return { ...wallet, balance: 0, pending: 0 };
}

export async function listWallets(
  deps: ServiceDependencies,
  customerId: string,
): Promise<WalletWithBalance[]> {
  if (!(await getCustomer(deps.db, customerId))) {
    throw new Refused('not_found', `customer ${customerId} does not exist`);
  }
  const wallets = await listWalletRows(deps.db, customerId);
  const balances = await walletBalances(
    deps.db,
    wallets.map((w) => w.id),
  );
  return wallets.map((w) => ({ ...w, ...balances.get(w.id)! }));
}

export async function getWalletWithGrants(
  deps: ServiceDependencies,
  id: string,
): Promise<{ wallet: WalletWithBalance; grants: WalletGrant[] }> {
  const wallet = await withBalance(deps, await existingWallet(deps, id));
  return { wallet, grants: await listGrants(deps.db, id) };
}

export interface GrantRequest {
  kind: GrantKind;
  amount: number;
  reason?: string | undefined;
  expiresAt?: string | undefined;
}

/** What selling purchased credit needs: how its invoice is finalized and followed. */
export interface CreditSale extends FinalizeOptions {
  temporal: Client;
  starts?: Partial<WorkflowStartSettings>;
}

/**
 * Grants credit into a wallet. Promotional: usable at once (a reason is required). Purchased:
 * its invoice is created and finalized (delivered and collected like any invoice), and the
 * credit is granted when that invoice is paid.
 */
export async function grantCredit(
  deps: ServiceDependencies,
  walletId: string,
  request: GrantRequest,
  sale: CreditSale,
): Promise<{ grant: WalletGrant; invoiceId: string | null }> {
  const wallet = await existingWallet(deps, walletId);
  const customer = (await getCustomer(deps.db, wallet.customer_id))!;
  if (request.kind === 'promotional' && !request.reason?.trim()) {
    throw new Refused('unprocessable', 'promotional credit needs a reason', { field: 'reason' });
  }
  const now = await customerNow(deps.db, customer);
  if (request.expiresAt !== undefined && !Number.isFinite(Date.parse(request.expiresAt))) {
    throw new Refused('unprocessable', 'not an instant we can read', { field: 'expiresAt' });
  }
  if (request.expiresAt !== undefined && Date.parse(request.expiresAt) <= now.getTime()) {
    throw new Refused('unprocessable', `must be after the customer's now, ${now.toISOString()}`, {
      field: 'expiresAt',
    });
  }
  const testClock = await testClockRefOf(deps.db, customer.test_clock_id);
  const grant = await refusingAsInvoice(() =>
    deps.db.transaction().execute(async (trx) => {
      const invoice =
        request.kind === 'purchased'
          ? await createCreditSaleInvoice(trx, {
              customerId: customer.id,
              locale: customer.locale,
              walletName: wallet.name,
              currency: wallet.currency,
              price: request.amount,
            })
          : null;
      const inserted = await insertGrant(trx, {
        walletId,
        kind: request.kind,
        amount: request.amount,
        reason: request.reason?.trim() || null,
        expiresAt: request.expiresAt ?? null,
        invoiceId: invoice?.id ?? null,
        at: now,
      });
      if (request.expiresAt !== undefined) {
        try {
          await temporalCall(deps, () =>
            deps.temporal.workflow.start<typeof walletGrantExpiryWorkflow>(
              'walletGrantExpiryWorkflow',
              walletGrantExpiryStartOptions({
                grantId: inserted.id,
                expiresAt: new Date(request.expiresAt!).toISOString(),
                customerId: customer.id,
                ...(testClock && { testClock }),
              }),
            ),
          );
        } catch (error) {
          throw new Refused(
            'unavailable',
            'Could not start the credit’s expiry timer; nothing was granted. Retry later.',
            { cause: error },
          );
        }
      }
      return inserted;
    }),
  );
  if (grant.invoice_id !== null) {
    // Committed with its grant as a draft; finalized now (a failure leaves the draft for
    // POST /v1/invoices/:id/finalize, and the grant pending until that invoice is paid).
    await finalizeAndFollow(deps.db, sale.temporal, grant.invoice_id, sale);
  }
  await balanceChanged(deps, customer.id);
  return { grant, invoiceId: grant.invoice_id };
}

export async function walletTransactions(
  deps: ServiceDependencies,
  walletId: string,
  page: { limit: number; startingAfter?: string | undefined },
): Promise<{ data: WalletTransaction[]; hasMore: boolean }> {
  await existingWallet(deps, walletId);
  const { items, hasMore } = await listWalletTransactions(deps.db, walletId, page);
  return { data: items, hasMore };
}

/** Voids what is left of a grant; a purchased grant's unpaid invoice must be voided instead. */
export async function voidGrant(
  deps: ServiceDependencies,
  walletId: string,
  grantId: string,
): Promise<WalletGrant> {
  const grant = await getGrant(deps.db, grantId);
  if (!grant || grant.wallet_id !== walletId) {
    throw new Refused('not_found', `wallet ${walletId} has no grant ${grantId}`);
  }
  const voided = await voidGrantRow(
    deps.db,
    grantId,
    await customerNow(deps.db, grant.customer_id),
  );
  if (!voided) {
    throw new Refused(
      'conflict',
      `grant ${grantId} waits for its invoice ${grant.invoice_id} to be paid: void that invoice instead`,
    );
  }
  await balanceChanged(deps, grant.customer_id);
  return voided;
}
