// A plan or quantity change applied by the subscription lifecycle is recorded in the existing
// audit trail of plan-version moves, keyed by its business key (the change instant, or the
// boundary a downgrade waited for) so an activity retry records it once. Moves made through
// POST /plan-version have no key. Frozen in time: Kysely<any>.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('subscription_plan_version_changes')
    .addColumn('change_key', 'text')
    .addColumn('from_plan_id', 'text', (c) => c.references('plans.id'))
    .addColumn('to_plan_id', 'text', (c) => c.references('plans.id'))
    .addColumn('from_quantity', 'integer')
    .addColumn('to_quantity', 'integer')
    .execute();
  await db.schema
    .createIndex('subscription_plan_version_changes_key')
    .on('subscription_plan_version_changes')
    .columns(['subscription_id', 'change_key'])
    .unique()
    .where(sql.ref('change_key'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('subscription_plan_version_changes_key').execute();
  await db.schema
    .alterTable('subscription_plan_version_changes')
    .dropColumn('to_quantity')
    .dropColumn('from_quantity')
    .dropColumn('to_plan_id')
    .dropColumn('from_plan_id')
    .dropColumn('change_key')
    .execute();
}
