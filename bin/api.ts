// `npm run api`: the HTTP API alone, for production (stateless; scale out side by side).
import closeWithGrace from 'close-with-grace';
import { loadConfig, exitUnlessDatabaseUrl, exitUnlessPayloadKeys } from '../config/index.ts';
import { startPlatform } from '../runtime/platform.ts';
import { temporalTargetFromEnv } from '../temporal/connection.ts';

const config = loadConfig();
exitUnlessDatabaseUrl(config, 'npm run api');
exitUnlessPayloadKeys(config, 'npm run api');
const platform = await startPlatform({
  config,
  temporal: temporalTargetFromEnv(),
  roles: { worker: false },
  apiLogger: { level: 'info' },
});
closeWithGrace({ delay: 10_000 }, () => platform.stop());
