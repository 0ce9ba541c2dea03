// What an invoice line keeps of its arithmetic, so a customer can check it: the quantity used
// and the free units taken off, the priced parts (tiers, fees, blocks), the proration and the
// cap. Stored with the line (invoice_lines.arithmetic) and shown on the document and the API.
import type { BillingTiming } from '../catalog/types.ts';
import type { DecimalString, Fraction } from '../core/decimal.ts';
import type { Wording } from '../core/wording.ts';
import type { LineComponent, LineKind } from '../rating/types.ts';

export interface LineArithmetic {
  /** charge, or a minimum commitment's true-up. */
  kind: LineKind;
  /** The plan charge the line bills; null for the plan-level minimum. */
  chargeKey: string | null;
  billing: BillingTiming;
  /** Units used in the period before free units (usage, seats); null for flat fees. */
  usedQuantity: DecimalString | null;
  /** Free units taken off the used quantity; null when the charge has none. */
  freeUnits: DecimalString | null;
  /** Exact priced parts (unrounded minor units) before proration and cap. */
  components: LineComponent[];
  /** Share of the period billed (a stub, a change mid-period); null for a whole period. */
  proration: Fraction | null;
  /** The per-period maximum that limited the line (prorated like the line); null if none did. */
  cappedAt: DecimalString | null;
  /** The arithmetic step by step, for people (in the customer's language once stored). */
  explanation: string[];
  /** Each step as a message of the `lines` catalogue: worded, then dropped, when stored. */
  explanationWording?: Wording[];
}
