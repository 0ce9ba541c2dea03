// `npm run worker`: the billing worker alone, for production (scale out side by side).
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
progress(`worker polling ${temporal.address}, namespace ${temporal.namespace}`);
closeWithGrace({ delay: 30_000 }, () => platform.stop());
