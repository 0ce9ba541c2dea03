// The project budget story for the replay test's history (scripts/record-histories.ts): a project
// created as POST /v1/projects creates it, billing hours with its milestone under a
// not-to-exceed budget; an entry crosses the budget's warning threshold (the time entry use
// case signals the workflow, which emails the operator once), then the one milestone completes
// and its invoice carries the hours: a branch the main project story does not take.
import { recordTimeEntry } from '../../services/project-time-entries.ts';
import { createProject } from '../../services/projects.ts';
import { projectWorkflowId } from '../../workflow-contracts/ids.ts';
import type { projectWorkflow } from '../../workflows/project.ts';
import { completeMilestoneUpdate, projectStateQuery } from '../../workflows/project-messages.ts';
import { replayCustomer, type Story } from '../recording.ts';

export const projectBudget: Story = {
  name: 'project-budget',
  summary: 'hours crossing the budget warning (the operator told once), billed with the milestone',
  environment: { BILLWRIGHT_OPERATOR_EMAIL: 'billing@example.test' },
  async play({ db, env, client, tax }) {
    const deps = { db, temporal: client };
    const customer = await replayCustomer(db, 'Europe/Paris');
    const { row: project } = await createProject(
      { ...deps, seller: tax.seller },
      {
        customerId: customer.id,
        name: 'Replay audit',
        currency: 'EUR',
        contractValue: 500_000,
        milestones: [{ key: 'report', name: 'Report', balance: true }],
        hours: {
          roundingMinutes: 15,
          invoicing: 'with_milestone',
          budget: { amount: 100_000, warnAtPercent: 80 },
        },
      },
    );
    const handle = env.client.workflow.getHandle<typeof projectWorkflow>(
      projectWorkflowId(project.id),
    );
    const undelivered = (error: unknown) => {
      throw error;
    };
    await recordTimeEntry(
      deps,
      {
        projectId: project.id,
        person: 'Ana',
        date: new Date(await env.currentTimeMs()).toISOString().slice(0, 10),
        hours: '6',
        rate: 15_000,
        description: 'Fieldwork',
      },
      undelivered,
    );
    while (!(await handle.query(projectStateQuery)).budgetWarned) await env.sleep(1000);
    await handle.executeUpdate(completeMilestoneUpdate, {
      args: [{ key: 'report', actor: 'key_recorder' }],
    });
    await handle.result();
    return handle;
  },
};
