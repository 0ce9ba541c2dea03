// The declined quote story for the replay test's history (scripts/record-histories.ts): a quote
// emailed with its acceptance link and declined by the customer with a reason: the answer
// recorded, nothing started.
import { answerQuote } from '../../services/quotes.ts';
import type { Story } from '../recording.ts';
import { closedQuote, issueSeatQuote, QUOTE_ENVIRONMENT } from './quote.ts';

export const quoteDeclined: Story = {
  name: 'quote-declined',
  summary: 'a quote emailed with its acceptance link, declined with a reason: nothing started',
  environment: QUOTE_ENVIRONMENT,
  async play(recording) {
    const { db, client } = recording;
    const issued = await issueSeatQuote(recording);
    await answerQuote({ db, temporal: client }, issued.id, {
      decision: 'decline',
      reason: 'Over budget this quarter',
    });
    return closedQuote(recording, issued.id);
  },
};
