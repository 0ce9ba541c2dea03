// What the system writes on a line, as a message of the `lines` catalogue and its values (a value
// may itself be worded): the domain stays free of languages, the activity writing the invoice
// words it in the customer's locale (activities/line-wording.ts). `text` is the English default.
export interface Wording {
  key: string;
  values?: Record<string, string | Wording>;
}

export const worded = (key: string, values?: Record<string, string | Wording>): Wording =>
  values === undefined ? { key } : { key, values };
