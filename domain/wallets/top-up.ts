// When a recurring top-up buys: at its anchor, then every interval after it. Months count from
// the anchor (31 January, then 28 February, 31 March), never from the clamped previous date.
import { DateTime } from 'luxon';

export type TopUpInterval = 'month' | 'week';

/** The first period start of the schedule at or after `from` (both ISO instants). */
export function nextTopUpPeriod(anchor: string, interval: TopUpInterval, from: string): string {
  const start = DateTime.fromISO(anchor, { zone: 'utc' });
  const target = DateTime.fromISO(from, { zone: 'utc' });
  if (target <= start) return start.toISO()!;
  const unit = interval === 'month' ? 'months' : 'weeks';
  let n = Math.max(0, Math.floor(target.diff(start, unit).as(unit)) - 1);
  let at = start.plus({ [unit]: n });
  while (at < target) at = start.plus({ [unit]: ++n });
  return at.toISO()!;
}
