// A project's terms from what the client sent: each milestone priced by exactly one of amount,
// percent or balance, defaults filled in, and terms the domain refuses named by their field.
import {
  ProjectTermsError,
  type MilestoneTerms,
  type ProjectTerms,
} from '../domain/projects/terms.ts';
import { Refused } from './refused.ts';

export interface PriceInput {
  amount?: number | undefined;
  percent?: string | undefined;
  balance?: true | undefined;
}

export interface MilestoneInput extends PriceInput {
  key: string;
  name: string;
  dueDate?: string | undefined;
  requiresApproval?: boolean | undefined;
  autoApproveAfterDays?: number | undefined;
}

export interface HoursInput {
  roundingMinutes?: number | undefined;
  rateCard?: Record<string, number> | undefined;
  invoicing?: 'monthly' | 'with_milestone' | undefined;
  lines?: 'per_person' | 'per_entry' | undefined;
  budget?:
    | { amount: number; warnAtPercent?: number | undefined; hardStop?: boolean | undefined }
    | undefined;
}

export interface ProjectTermsInput {
  currency: string;
  contractValue: number;
  deposit?: { amount: number } | { percent: string } | undefined;
  milestones: MilestoneInput[];
  retainagePercent?: string | undefined;
  sequential?: boolean | undefined;
  hours?: HoursInput | undefined;
}

export function priceOf(body: PriceInput, field: string): MilestoneTerms['price'] {
  const given = [body.amount !== undefined, body.percent !== undefined, body.balance === true];
  if (given.filter(Boolean).length !== 1) {
    throw new Refused('unprocessable', 'give exactly one of amount, percent or balance', {
      field: `${field}.amount`,
    });
  }
  if (body.amount !== undefined) return { amount: body.amount };
  if (body.percent !== undefined) return { percent: body.percent };
  return { balance: true };
}

export function milestoneTerms(m: MilestoneInput, field: string): MilestoneTerms {
  return {
    key: m.key,
    name: m.name,
    price: priceOf(m, field),
    requiresApproval: m.requiresApproval ?? false,
    ...(m.dueDate !== undefined && { dueDate: m.dueDate }),
    ...(m.autoApproveAfterDays !== undefined && { autoApproveAfterDays: m.autoApproveAfterDays }),
  };
}

/** The domain's refusal of terms as a refusal naming the field. */
export function termsRefusal(error: unknown): unknown {
  return error instanceof ProjectTermsError
    ? new Refused('unprocessable', error.message.replace(/^[^:]*: /, ''), { field: error.field })
    : error;
}

export function projectTerms(body: ProjectTermsInput): ProjectTerms {
  const hours = body.hours;
  return {
    contractValue: body.contractValue,
    currency: body.currency,
    milestones: body.milestones.map((m, i) => milestoneTerms(m, `milestones[${i}]`)),
    sequential: body.sequential ?? true,
    ...(body.deposit && { deposit: body.deposit }),
    ...(body.retainagePercent !== undefined && { retainagePercent: body.retainagePercent }),
    ...(hours && {
      hours: {
        roundingMinutes: hours.roundingMinutes ?? 1,
        rateCard: hours.rateCard ?? {},
        invoicing: hours.invoicing ?? 'monthly',
        lines: hours.lines ?? 'per_person',
        ...(hours.budget && {
          budget: {
            amount: hours.budget.amount,
            warnAtPercent: hours.budget.warnAtPercent ?? 80,
            hardStop: hours.budget.hardStop ?? false,
          },
        }),
      },
    }),
  };
}
