// The expired quote story for the replay test's history (scripts/record-histories.ts): a quote
// emailed with its acceptance link and left unanswered past its validity (30 days of skipped
// time): marked expired and the operator emailed.
import type { Story } from '../recording.ts';
import { closedQuote, issueSeatQuote, QUOTE_ENVIRONMENT } from './quote.ts';

export const quoteExpired: Story = {
  name: 'quote-expired',
  summary: 'a quote emailed with its acceptance link, unanswered: expired, the operator told',
  environment: { ...QUOTE_ENVIRONMENT, BILLWRIGHT_OPERATOR_EMAIL: 'billing@example.test' },
  async play(recording) {
    const issued = await issueSeatQuote(recording);
    return closedQuote(recording, issued.id);
  },
};
