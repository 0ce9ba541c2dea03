// The task queues, named in workflow-contracts/ (workflows route activities by them).
export { BILLING_TASK_QUEUE, RENDER_TASK_QUEUE } from '../workflow-contracts/task-queues.ts';
