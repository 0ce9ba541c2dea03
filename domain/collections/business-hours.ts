// When an email may go out: inside the operator's sending window, in the customer's own time
// zone, so an invoice issued at 02:00 reaches the inbox at opening time rather than overnight.
// Pure and deterministic: the subscription workflow calls it with workflow time.
import { DateTime } from 'luxon';

/** Local wall-clock hours during which emails are sent, e.g. 09:00–18:00 on weekdays. */
export interface SendWindow {
  /** Opening, "HH:MM" (inclusive). */
  start: string;
  /** Closing, "HH:MM" (exclusive), after start; "24:00" for midnight. */
  end: string;
  /** Monday to Friday only. */
  weekdaysOnly: boolean;
}

const HH_MM = /^([01]\d|2[0-4]):([0-5]\d)$/;

function minutesOf(hhmm: string, what: string): number {
  const match = HH_MM.exec(hhmm);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
  if (!(minutes <= 24 * 60)) throw new RangeError(`${what} must be HH:MM, got "${hhmm}"`);
  return minutes;
}

function windowMinutes(window: SendWindow): { open: number; close: number } {
  const open = minutesOf(window.start, 'window start');
  const close = minutesOf(window.end, 'window end');
  if (open >= 24 * 60 || close <= open) {
    throw new RangeError(`window ${window.start}-${window.end} must open before it closes`);
  }
  return { open, close };
}

/**
 * The instant itself when it falls inside the window in `timezone`, otherwise the window's next
 * opening. Wall-clock based, so DST moves nothing: 09:00 stays 09:00 local all year. An opening
 * that falls in a DST gap (02:30 on a spring-forward night) is the first instant after the gap.
 */
export function nextSendingTime(instant: string, timezone: string, window: SendWindow): string {
  const { open, close } = windowMinutes(window);
  const at = DateTime.fromISO(instant, { zone: timezone });
  if (!at.isValid) throw new RangeError(`cannot read ${instant} in zone ${timezone}`);
  const allowedDay = (day: DateTime) => !window.weekdaysOnly || day.weekday <= 5;
  const minute = at.hour * 60 + at.minute;
  if (allowedDay(at) && minute >= open && minute < close) return instant;

  let day = at.startOf('day');
  if (minute >= open || !allowedDay(day)) day = day.plus({ days: 1 });
  while (!allowedDay(day)) day = day.plus({ days: 1 });
  const opening = DateTime.fromObject(
    {
      year: day.year,
      month: day.month,
      day: day.day,
      hour: Math.floor(open / 60),
      minute: open % 60,
    },
    { zone: timezone },
  );
  // A wall-clock opening that does not exist (DST gap) is pushed forward by luxon, past the gap's
  // end; the window is open from that end already (02:01 Paris on the spring-forward day: 03:00).
  let first = opening;
  if (opening.hour * 60 + opening.minute !== open) {
    for (;;) {
      const before = first.minus({ minutes: 1 });
      if (!before.hasSame(first, 'day') || before.hour * 60 + before.minute < open) break;
      first = before;
    }
  }
  return first.toUTC().toISO()!;
}

/** "09:00 Europe/Paris" when the opening is on the instant's local day, else with the date. */
export function describeSendingTime(instant: string, from: string, timezone: string): string {
  const at = DateTime.fromISO(instant, { zone: timezone });
  const sameDay = at.hasSame(DateTime.fromISO(from, { zone: timezone }), 'day');
  return `${at.toFormat(sameDay ? 'HH:mm' : 'yyyy-MM-dd HH:mm')} ${timezone}`;
}

/**
 * EMAIL_SEND_WINDOW: "09:00-18:00" (every day) or "09:00-18:00,weekdays". Empty or unset means
 * no window: emails go out at once.
 */
export function parseSendWindow(text: string | undefined): SendWindow | undefined {
  const value = text?.trim();
  if (!value) return undefined;
  const match = /^(\d\d:\d\d)\s*-\s*(\d\d:\d\d)\s*(?:,\s*(weekdays|all))?$/i.exec(value);
  if (!match) {
    throw new RangeError(
      `EMAIL_SEND_WINDOW must look like 09:00-18:00 or 09:00-18:00,weekdays, got "${value}"`,
    );
  }
  const window: SendWindow = {
    start: match[1]!,
    end: match[2]!,
    weekdaysOnly: match[3]?.toLowerCase() === 'weekdays',
  };
  windowMinutes(window);
  return window;
}
