// The project quote story for the replay test's history (scripts/record-histories.ts): a
// project's terms quoted (POST /v1/project-quotes' use case: deposit and milestones priced into
// the quote), emailed with the acceptance link and accepted: the quote's workflow takes its
// project branch, recording the answer (which chooses the project's id) and starting the
// project, whose workflow then bills the quoted deposit.
import { issueProjectQuote } from '../../services/project-quotes.ts';
import { answerQuote, getQuote } from '../../services/quotes.ts';
import { projectWorkflowId } from '../../workflow-contracts/ids.ts';
import { projectStateQuery } from '../../workflows/project-messages.ts';
import { replayCustomer, type Story } from '../recording.ts';
import { closedQuote, QUOTE_ENVIRONMENT } from './quote.ts';

export const quoteProject: Story = {
  name: 'quote-project',
  summary: 'a project quote emailed with its acceptance link, accepted: its project started',
  environment: QUOTE_ENVIRONMENT,
  async play(recording) {
    const { db, client, config, tax } = recording;
    const deps = { db, temporal: client };
    const customer = await replayCustomer(db, 'Europe/Paris');
    const issued = await issueProjectQuote(
      { ...deps, tax, numbering: config.invoiceNumbering },
      {
        project: {
          customerId: customer.id,
          name: 'Replay site',
          currency: 'EUR',
          contractValue: 1_000_000,
          deposit: { percent: '15' },
          milestones: [
            { key: 'design', name: 'Mockups', percent: '30' },
            { key: 'launch', name: 'Launch', balance: true },
          ],
          retainagePercent: '5',
        },
        terms: 'Payable within 30 days of each invoice.',
      },
    );
    await answerQuote(deps, issued.id, {
      decision: 'accept',
      name: 'Ada Lovelace',
      title: 'CFO',
      ip: '203.0.113.7',
    });
    const handle = await closedQuote(recording, issued.id);
    // The project it started runs on its own: its deposit invoice is the quoted deposit.
    const { projectId } = await getQuote(deps, issued.id);
    if (!projectId) throw new Error(`quote ${issued.number} accepted without a project`);
    const project = client.workflow.getHandle(projectWorkflowId(projectId));
    while ((await project.query(projectStateQuery)).invoices.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return handle;
  },
};
