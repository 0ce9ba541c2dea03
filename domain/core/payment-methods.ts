// The payment methods the system records itself, by their stored name: a customer's credit
// balance applied to an invoice, and prepaid (wallet) credit. An operator's method ("bank
// transfer", "Visa ending 4242") is printed as typed; these are worded in the reader's language
// when shown (the `paymentMethod` template helper, catalogue namespace `payment-method`).
export const SYSTEM_PAYMENT_METHODS = {
  'account credit': 'payment-method.accountCredit',
  'prepaid credit': 'payment-method.prepaidCredit',
} as const;

export const ACCOUNT_CREDIT_METHOD = 'account credit' satisfies keyof typeof SYSTEM_PAYMENT_METHODS;

/** The catalogue key of a method the system records, or null for an operator's own text. */
export function systemPaymentMethodKey(method: string): string | null {
  return Object.hasOwn(SYSTEM_PAYMENT_METHODS, method)
    ? SYSTEM_PAYMENT_METHODS[method as keyof typeof SYSTEM_PAYMENT_METHODS]
    : null;
}
