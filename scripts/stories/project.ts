// The project story for the replay test's history (scripts/record-histories.ts). It touches
// every path: the deposit, a milestone rejected then approved, a change order, an
// auto-approval, retainage, monthly hours, an overdue reminder and the completion.
import { DateTime } from 'luxon';
import { newId } from '../../db/ids.ts';
import { insertProject } from '../../db/repositories/projects.ts';
import { insertTimeEntry } from '../../db/repositories/project-time-entries.ts';
import { hoursAmount, roundMinutes } from '../../domain/projects/hours.ts';
import { priceProject, type ProjectTerms } from '../../domain/projects/terms.ts';
import { projectStartOptions } from '../../temporal/project-start.ts';
import type { projectWorkflow } from '../../workflows/project.ts';
import {
  approveMilestoneUpdate,
  changeOrderUpdate,
  completeMilestoneUpdate,
  projectStateQuery,
  rejectMilestoneUpdate,
} from '../../workflows/project-messages.ts';
import { replayCustomer, type Story } from '../recording.ts';

const DAY = 86_400_000;
const TZ = 'Europe/Paris';

export const project: Story = {
  name: 'project',
  summary:
    'deposit, a milestone rejected then approved, a change order, auto-approval, retainage, ' +
    'monthly hours, an overdue reminder, completion',
  environment: { BILLWRIGHT_SIGNING_SECRET: 'record-project-history-secret-0123456789' },
  async play({ db, env, taskQueue }) {
    const customer = await replayCustomer(db, TZ);
    const now = DateTime.fromMillis(await env.currentTimeMs(), { zone: TZ });
    const terms: ProjectTerms = {
      contractValue: 100_000_000,
      currency: 'EUR',
      deposit: { percent: '15' },
      retainagePercent: '5',
      sequential: true,
      milestones: [
        { key: 'mid', name: 'Design approved', price: { percent: '30' }, requiresApproval: true },
        {
          key: 'build',
          name: 'Build',
          price: { percent: '20' },
          requiresApproval: true,
          autoApproveAfterDays: 7,
          dueDate: now.plus({ days: 20 }).toISODate()!,
        },
        { key: 'done', name: 'Completion', price: { balance: true }, requiresApproval: false },
      ],
      hours: {
        roundingMinutes: 15,
        rateCard: {},
        invoicing: 'monthly',
        lines: 'per_person',
      },
    };
    const projectId = newId('prj');
    const priced = priceProject(terms);
    await insertProject(db, {
      id: projectId,
      customerId: customer.id,
      name: 'Replay wing',
      terms,
      milestones: terms.milestones.map((m, i) => ({
        key: m.key,
        name: m.name,
        amount: priced.milestones[i]!.amount,
      })),
    });
    const handle = await env.client.workflow.start<typeof projectWorkflow>('projectWorkflow', {
      ...projectStartOptions({
        projectId,
        customerId: customer.id,
        timezone: TZ,
        terms,
      }),
      taskQueue,
    });
    const operator = { actor: 'key_recorder' };
    const settle = async (check: () => Promise<boolean>) => {
      while (!(await check())) await env.sleep(1000);
    };
    const invoices = async () => (await handle.query(projectStateQuery)).invoices.length;
    await settle(async () => (await invoices()) === 1);
    const billed = roundMinutes(50, 15);
    await insertTimeEntry(
      db,
      projectId,
      {
        id: newId('te'),
        person: 'Ana',
        role: null,
        workDate: now.toISODate()!,
        minutes: 50,
        billedMinutes: billed,
        hourlyRate: 15_000,
        amount: hoursAmount(billed, 15_000),
        description: 'Survey',
        billable: true,
      },
      undefined,
    );
    await handle.executeUpdate(completeMilestoneUpdate, { args: [{ key: 'mid', ...operator }] });
    await handle.executeUpdate(rejectMilestoneUpdate, {
      args: [{ key: 'mid', ...operator, reason: 'Drawings missing' }],
    });
    await handle.executeUpdate(completeMilestoneUpdate, { args: [{ key: 'mid', ...operator }] });
    await handle.executeUpdate(approveMilestoneUpdate, {
      args: [{ key: 'mid', actor: 'customer (approval link)', round: 2 }],
    });
    await settle(async () => (await invoices()) === 2);
    await handle.executeUpdate(changeOrderUpdate, {
      args: [
        {
          ...operator,
          reason: 'Terrace',
          change: {
            contractValue: 110_000_000,
            addMilestone: {
              key: 'terrace',
              name: 'Terrace',
              price: { amount: 10_000_000 },
              requiresApproval: false,
            },
          },
        },
      ],
    });
    // The due date passes (reminder), a month start passes (hours), then the auto-approval.
    await env.sleep(now.plus({ days: 21 }).toMillis() - (await env.currentTimeMs()));
    await handle.executeUpdate(completeMilestoneUpdate, { args: [{ key: 'build', ...operator }] });
    await env.sleep(8 * DAY);
    await settle(async () =>
      (await handle.query(projectStateQuery)).milestones.every(
        (m) => m.key !== 'build' || m.status === 'invoiced',
      ),
    );
    await handle.executeUpdate(completeMilestoneUpdate, { args: [{ key: 'done', ...operator }] });
    await handle.executeUpdate(completeMilestoneUpdate, {
      args: [{ key: 'terrace', ...operator }],
    });
    await handle.result();
    return handle;
  },
};
