// Spend alerts (issue #14): levels of usage (units of one metric this period) or of amount (the
// period's rated amount so far, before tax, minor units) that a customer's live balance is
// compared with after each read. Pure, so the balance workflow compares without an activity and
// calls one only when something crossed or a crossing of an earlier period resolved.
import { decimal, toDecimalString, type DecimalString } from '../core/decimal.ts';

export type SpendAlertKind = 'usage' | 'amount';

/** One alert as the balance carries it: its level and what the current period reads. */
export interface SpendAlertReading {
  alertId: string;
  name: string | null;
  /** Set on the customer, or on the plan they subscribe to. */
  scope: 'customer' | 'plan';
  kind: SpendAlertKind;
  /** The metric a usage alert counts; null for an amount alert. */
  metricCode: string | null;
  /** Units (decimal string), or minor units (integer string) of `currency`. */
  level: DecimalString;
  /** The amount alert's currency; null for a usage alert. */
  currency: string | null;
  hardStop: boolean;
  /** The current period's value, in the level's unit. */
  value: DecimalString;
  /** When this period's crossing was recorded (the customer's clock); null if not crossed. */
  crossedAt: string | null;
  /** An earlier period's crossing not resolved yet: the customer has not been back under. */
  unresolved: boolean;
}

/** What a read asks to record: crossings this period, and earlier crossings now resolved. */
export interface SpendAlertChanges {
  crossed: { alertId: string; value: DecimalString }[];
  resolved: { alertId: string; value: DecimalString }[];
}

/** The level is reached: a value at or above it has crossed. */
export function hasReached(reading: Pick<SpendAlertReading, 'level' | 'value'>): boolean {
  return decimal(reading.value).gte(decimal(reading.level));
}

/**
 * What a read changes: an alert reached this period and not yet recorded crosses (once per
 * period: the recorded crossedAt stops it firing again); an earlier period's crossing resolves
 * once the new period reads under the level.
 */
export function spendAlertChanges(readings: readonly SpendAlertReading[]): SpendAlertChanges {
  const crossed: SpendAlertChanges['crossed'] = [];
  const resolved: SpendAlertChanges['resolved'] = [];
  for (const reading of readings) {
    const reached = hasReached(reading);
    if (reached && reading.crossedAt === null)
      crossed.push({ alertId: reading.alertId, value: reading.value });
    if (!reached && reading.unresolved)
      resolved.push({ alertId: reading.alertId, value: reading.value });
  }
  return { crossed, resolved };
}

export function hasChanges(changes: SpendAlertChanges): boolean {
  return changes.crossed.length > 0 || changes.resolved.length > 0;
}

/** The readings once `changes` are recorded at `at`. */
export function withChanges(
  readings: readonly SpendAlertReading[],
  changes: SpendAlertChanges,
  at: string,
): SpendAlertReading[] {
  const crossed = new Set(changes.crossed.map((c) => c.alertId));
  const resolved = new Set(changes.resolved.map((r) => r.alertId));
  return readings.map((reading) => ({
    ...reading,
    crossedAt: crossed.has(reading.alertId) ? at : reading.crossedAt,
    unresolved: resolved.has(reading.alertId) ? false : reading.unresolved,
  }));
}

/** What the hard stops allow of one metric this period. */
export interface HardStop {
  /** A hard-stop alert that concerns the metric is crossed. */
  stopped: boolean;
  /** Whole units left before the nearest hard-stop level; null when none limits the metric. */
  remainingUnits: DecimalString | null;
}

/**
 * The hard stops on `metricCode`: a usage alert on that metric stops it at its level, an amount
 * alert stops every metric at its level. Units left: the usage level minus the usage so far, or
 * what the amount left before the level buys at `unitPrice` (minor units per unit, before tax,
 * as the level is); whole units, rounded down, never below zero.
 */
export function hardStopOf(
  readings: readonly SpendAlertReading[],
  metricCode: string,
  unitPrice: DecimalString | null,
): HardStop {
  let stopped = false;
  let remaining: ReturnType<typeof decimal> | null = null;
  for (const reading of readings) {
    if (!reading.hardStop) continue;
    if (reading.kind === 'usage' && reading.metricCode !== metricCode) continue;
    if (hasReached(reading)) stopped = true;
    const left = decimal(reading.level).minus(decimal(reading.value));
    let units: ReturnType<typeof decimal> | null;
    if (reading.kind === 'usage') units = left;
    else if (unitPrice !== null && decimal(unitPrice).gt(0)) units = left.div(decimal(unitPrice));
    else units = hasReached(reading) ? decimal(0) : null;
    if (units === null) continue;
    units = units.lt(0) ? decimal(0) : units.round(0, 0);
    if (remaining === null || units.lt(remaining)) remaining = units;
  }
  return { stopped, remainingUnits: remaining === null ? null : toDecimalString(remaining) };
}

/** The smaller of two limits on units, either of which may be absent (null). */
export function fewerUnits(a: DecimalString | null, b: DecimalString | null): DecimalString | null {
  if (a === null) return b;
  if (b === null) return a;
  return decimal(a).lte(decimal(b)) ? a : b;
}
