// The deferred-revenue waterfall on the wire: amounts in integer minor units of the one currency
// asked for, months as YYYY-MM in the customers' calendars.
import { Type } from 'typebox';
import type { RevenueRecognition } from '../../services/revenue-recognition.ts';
import { CurrencyCode } from './common.ts';
import { CALENDAR_MONTH_PATTERN, CalendarDateParam } from './registers.ts';

const MonthParam = (description: string) =>
  Type.String({ pattern: CALENDAR_MONTH_PATTERN, description, examples: ['2027-03'] });

export const RevenueRecognitionQuery = Type.Object(
  {
    currency: { ...CurrencyCode, description: 'The currency reported (one per waterfall).' },
    from: MonthParam('First month shown (YYYY-MM).'),
    to: MonthParam('Last month shown (YYYY-MM), at most 120 months after from.'),
    asOf: Type.Optional(
      CalendarDateParam(
        'The figures as of the end of this date (YYYY-MM-DD): documents dated later are not ' +
          'counted yet. Default: today (UTC).',
      ),
    ),
  },
  { additionalProperties: false },
);

const MinorUnits = (description: string) => Type.Integer({ description });

const WaterfallMonth = Type.Object({
  month: Type.String({ description: 'YYYY-MM.' }),
  openingDeferred: MinorUnits('Deferred revenue at the start of the month.'),
  billed: MinorUnits('Net of discount, tax excluded, of invoices dated in the month.'),
  credited: MinorUnits('Net, tax excluded, of credit notes dated in the month (not voids).'),
  recognized: MinorUnits('Revenue earned in the month (scheduled, for months after asOf).'),
  closingDeferred: MinorUnits('openingDeferred + billed − credited − recognized.'),
});

export const RevenueRecognitionSchema = Type.Object(
  {
    currency: CurrencyCode,
    asOf: Type.String({ description: 'The date the figures are as of (YYYY-MM-DD).' }),
    months: Type.Array(WaterfallMonth),
    deferred: MinorUnits('Deferred revenue at the end of asOf: the sum of the schedule.'),
    schedule: Type.Array(
      Type.Object({
        month: Type.String({ description: 'YYYY-MM.' }),
        amount: MinorUnits('What of the deferred balance at asOf is recognized in the month.'),
      }),
      {
        description:
          'When the deferred balance at asOf will be recognized, month by month from asOf’s ' +
          '(its days after asOf) to the last.',
      },
    ),
  },
  { description: 'The deferred-revenue waterfall of one currency.' },
);

export function toRevenueRecognition(report: RevenueRecognition) {
  return {
    currency: report.currency,
    asOf: report.asOf,
    months: report.months,
    deferred: report.deferred,
    schedule: report.schedule,
  };
}
