// `npm run worker`: the workers alone, for production (scale out side by side): the task queues
// BILLWRIGHT_WORKER_QUEUES lists (billing, render; both by default).
import closeWithGrace from 'close-with-grace';
import { loadConfig, exitUnlessDatabaseUrl, exitUnlessPayloadKeys } from '../config/index.ts';
import { progress } from '../runtime/log.ts';
import { startPlatform } from '../runtime/platform.ts';
import { temporalTargetFromEnv } from '../temporal/connection.ts';

const config = loadConfig();
exitUnlessDatabaseUrl(config, 'npm run worker');
exitUnlessPayloadKeys(config, 'npm run worker');
const temporal = temporalTargetFromEnv();
const platform = await startPlatform({ config, temporal, roles: { api: false } });
progress(
  `worker polling ${config.workerQueues.join(' and ')} on ${temporal.address}, namespace ${temporal.namespace}`,
);
closeWithGrace({ delay: 30_000 }, () => platform.stop());
