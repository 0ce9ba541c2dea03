// The accounting sync's use cases: start a sync (stored and its workflow started in one
// transaction; one running per accounting system, so two starts at once run once), read where a
// sync stands, and reconcile a period's documents against what the accounting system holds.
import type { AccountingSystem, DocumentKind, HeldDocument } from '../accounting/port.ts';
import { DOCUMENT_KINDS, AccountingSyncError } from '../accounting/port.ts';
import { newId } from '../db/ids.ts';
import * as sync from '../db/repositories/accounting-sync.ts';
import {
  reconcileKind,
  reconciliationTotals,
  type ReconciliationEntry,
  type ReconciliationTotal,
} from '../domain/accounting/reconciliation.ts';
import { accountingSyncStartOptions } from '../temporal/accounting-sync-start.ts';
import type { AccountingSyncInput } from '../workflows/accounting-sync-messages.ts';
import { temporalCall, type ServiceDependencies } from './dependencies.ts';
import { Refused } from './refused.ts';

export interface AccountingDependencies extends ServiceDependencies {
  /** The configured accounting system; undefined: accounting sync is off. */
  accounting: AccountingSystem | undefined;
}

export interface AccountingSyncView extends sync.AccountingSyncRecord {
  /** Objects the sync could not push, and why (the first 100). */
  failures: sync.SyncFailure[];
}

export interface Reconciliation {
  provider: string;
  period: sync.SyncPeriod;
  totals: ReconciliationTotal[];
  documents: ReconciliationEntry[];
}

const SYSTEM_NAMES: Record<string, string> = { quickbooks: 'QuickBooks' };

/** Longest period a reconciliation reads from the accounting system. */
const MAX_RECONCILIATION_DAYS = 366;

function configured(deps: AccountingDependencies): AccountingSystem {
  if (deps.accounting) return deps.accounting;
  throw new Refused(
    'conflict',
    'Accounting sync is not configured: set QUICKBOOKS_REALM_ID, QUICKBOOKS_ACCESS_TOKEN and ' +
      'QUICKBOOKS_ITEM_REF (see docs/OPERATIONS.md). Nothing was synced.',
  );
}

function checkPeriod(period: sync.SyncPeriod, field: string, maxDays?: number): void {
  if (period.from >= period.to) {
    throw new Refused('unprocessable', 'must be after from (to is exclusive)', {
      field: `${field}to`,
    });
  }
  const days = (Date.parse(period.to) - Date.parse(period.from)) / 86_400_000;
  if (maxDays !== undefined && days > maxDays) {
    throw new Refused('unprocessable', `a period of at most ${maxDays} days`, {
      field: `${field}to`,
    });
  }
}

/**
 * Starts a sync of the period (everything without one), or answers the one already running for
 * the same period (`started` false). Refused while a sync of another period runs.
 */
export async function startAccountingSync(
  deps: AccountingDependencies,
  request: { period?: sync.SyncPeriod | undefined; actor: string },
): Promise<{ sync: AccountingSyncView; started: boolean }> {
  const accounting = configured(deps);
  const { period } = request;
  if (period) checkPeriod(period, 'period.');
  const id = newId('acsync');
  const input: AccountingSyncInput = {
    syncId: id,
    systemName: SYSTEM_NAMES[accounting.provider] ?? accounting.provider,
    ...(period && { period }),
  };
  const started = await deps.db.transaction().execute(async (trx) => {
    const inserted = await sync.insertAccountingSync(trx, {
      id,
      provider: accounting.provider,
      period,
      actor: request.actor,
    });
    if (!inserted) return false;
    try {
      await temporalCall(deps, () =>
        deps.temporal.workflow.start(
          'accountingSyncWorkflow',
          accountingSyncStartOptions(input, request.actor),
        ),
      );
    } catch (error) {
      throw new Refused(
        'unavailable',
        'Could not start the sync’s workflow; nothing was stored. Retry later.',
        { cause: error },
      );
    }
    return true;
  });
  if (started) return { sync: (await syncView(deps, id))!, started: true };
  const running = await sync.runningAccountingSync(deps.db, accounting.provider);
  if (!running) {
    throw new Refused('unavailable', 'A sync was finishing as this one started. Retry.');
  }
  const samePeriod =
    (running.period?.from ?? null) === (period?.from ?? null) &&
    (running.period?.to ?? null) === (period?.to ?? null);
  if (!samePeriod) {
    throw new Refused(
      'conflict',
      `Sync ${running.id} of ${running.period ? `${running.period.from} to ${running.period.to}` : 'everything'} is running; start this one when it completes.`,
    );
  }
  return { sync: (await syncView(deps, running.id))!, started: false };
}

async function syncView(
  deps: ServiceDependencies,
  id: string,
): Promise<AccountingSyncView | undefined> {
  const record = await sync.getAccountingSync(deps.db, id);
  return record && { ...record, failures: await sync.syncFailures(deps.db, id, 100) };
}

/** The sync with its counts per kind and its failures; refused as not found. */
export async function getAccountingSync(
  deps: ServiceDependencies,
  id: string,
): Promise<AccountingSyncView> {
  const view = await syncView(deps, id);
  if (!view) throw new Refused('not_found', `No accounting sync has the id ${id}.`);
  return view;
}

/**
 * The period's invoices, payments and credit notes against what the accounting system holds for
 * them, and the system's documents in the period that no Billwright document is linked to.
 */
export async function reconcileAccounts(
  deps: AccountingDependencies,
  period: sync.SyncPeriod,
): Promise<Reconciliation> {
  const accounting = configured(deps);
  checkPeriod(period, '', MAX_RECONCILIATION_DAYS);
  const documents: ReconciliationEntry[] = [];
  try {
    for (const kind of DOCUMENT_KINDS) {
      documents.push(...(await reconcileOne(deps, accounting, kind, period)));
    }
  } catch (error) {
    if (error instanceof AccountingSyncError) {
      throw new Refused('unavailable', `Could not read ${accounting.provider}: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
  return {
    provider: accounting.provider,
    period,
    totals: reconciliationTotals(documents),
    documents,
  };
}

async function reconcileOne(
  deps: AccountingDependencies,
  accounting: AccountingSystem,
  kind: DocumentKind,
  period: sync.SyncPeriod,
): Promise<ReconciliationEntry[]> {
  const ours = await sync.documentsInPeriod(deps.db, kind, period);
  const links = await sync.accountingLinks(
    deps.db,
    accounting.provider,
    kind,
    'object_id',
    ours.map((d) => d.id),
  );
  const theirs = await accounting.heldDocuments(kind, period);
  const held = new Map<string, HeldDocument>(theirs.map((d) => [d.externalId, d]));
  // A linked document the system dates outside the period is read by its id.
  for (const link of links.values()) {
    if (!held.has(link.external_id)) {
      const found = await accounting.heldDocument(kind, link.external_id);
      if (found) held.set(found.externalId, found);
    }
  }
  const linked = await sync.accountingLinks(
    deps.db,
    accounting.provider,
    kind,
    'external_id',
    theirs.map((d) => d.externalId),
  );
  return reconcileKind(
    kind,
    ours.map((doc) => ({ ...doc, externalId: links.get(doc.id)?.external_id })),
    (externalId) => held.get(externalId),
    theirs.filter((d) => !linked.has(d.externalId)),
  );
}
