// What the dashboard shows: the insights API's answers for one currency, as /v1/insights/* sends
// them (camelCase, Money in minor units, rates as decimal strings), and the filters they answer.
interface Money {
  amount: number;
  currency: string;
}

export interface MrrMonth {
  month: string;
  mrr: Money;
  arr: Money;
  customers: number;
  arpa: Money;
  movements: {
    new: Money;
    expansion: Money;
    contraction: Money;
    churn: Money;
    reactivation: Money;
  };
  logoChurnRate: string | null;
  revenueChurnRate: string | null;
  netRevenueRetention: string | null;
}

export interface ArAgingAnswer {
  asOf: string;
  currencies: {
    currency: string;
    total: Money;
    buckets: { bucket: string; amount: Money; invoices: number }[];
  }[];
}

export interface PaymentsAnswer {
  currency: string;
  months: {
    month: string;
    collected: Money;
    payments: number;
    paidOnTime: number;
    paidLate: number;
    averageDaysToPay: string | null;
    collectedAfterReminder: { step: number; amount: Money; invoices: number }[];
  }[];
  dso: string | null;
}

export interface OverdueInvoice {
  invoiceId: string;
  number: string;
  customerId: string;
  customerName: string;
  amountDue: Money;
  dueAt: string;
  daysOverdue: number;
  subscriptionId: string | null;
}

export interface UpcomingRenewal {
  subscriptionId: string;
  customerId: string;
  customerName: string;
  planCode: string;
  renewsAt: string;
  amount: Money;
}

export interface DashboardAnswers {
  currency: string;
  /** The currencies the customers are billed in, most customers first. */
  currencies: string[];
  asOf: string;
  from: string;
  to: string;
  mrr: { currency: string; months: MrrMonth[] };
  arAging: ArAgingAnswer;
  payments: PaymentsAnswer;
  overdueInvoices: { data: OverdueInvoice[]; hasMore: boolean };
  upcomingRenewals: { data: UpcomingRenewal[]; hasMore: boolean };
}
