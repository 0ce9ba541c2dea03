// The customer's side of a milestone approval (the signed link in the approval request email):
// what the approval page shows. Approving and rejecting are the operator's use cases
// (services/projects.ts), sent for the approval round the link was sent for.
import type { Db } from '../db/connect.ts';
import { getProject, listMilestones } from '../db/repositories/projects.ts';
import type { ServiceDependencies } from './dependencies.ts';
import { approveMilestone, rejectMilestone, type MilestoneAction } from './projects.ts';
import { Refused } from './refused.ts';

/** The project, its milestone and the customer's locale; refused when either does not exist. */
export async function milestoneAwaitingAnswer(db: Db, projectId: string, key: string) {
  const project = await getProject(db, projectId);
  const milestone = project && (await listMilestones(db, projectId)).find((m) => m.key === key);
  if (!project || !milestone) throw new Refused('not_found', 'This milestone does not exist.');
  const customer = await db
    .selectFrom('customers')
    .select('locale')
    .where('id', '=', project.customer_id)
    .executeTakeFirstOrThrow();
  return { project, milestone, locale: customer.locale };
}

/**
 * The customer's answer through the link: approves or rejects the milestone (the operator's use
 * cases), and gives the customer's locale the answer page is worded in.
 */
export async function answerMilestone(
  deps: ServiceDependencies,
  answer: 'approve' | 'reject',
  action: MilestoneAction & { reason?: string | undefined },
): Promise<{ locale: string }> {
  const { locale } = await milestoneAwaitingAnswer(deps.db, action.projectId, action.key);
  if (answer === 'approve') await approveMilestone(deps, action);
  else await rejectMilestone(deps, { ...action, reason: action.reason ?? '' });
  return { locale };
}
