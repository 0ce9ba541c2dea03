// `npm run record-histories [-- <name>…]`: records the histories of the replay test
// (test/workflows/replay.test.ts), each from a short scripted story (scripts/stories/: one or
// more per workflow type, its main paths then its other branches), into
// test/fixtures/histories/<name>.json. Names choose stories
// (`npm run record-histories -- collection`); none records them all. Until the first release the
// histories are simply recorded again when a workflow changes.
import { progress } from '../runtime/log.ts';
import { recordStories } from './recording.ts';
import { storyList } from './stories/index.ts';

const all = storyList;
const names = process.argv.slice(2);
const unknown = names.filter((name) => !all.some(([, story]) => story.name === name));
if (unknown.length > 0) {
  progress(
    `no story named ${unknown.join(', ')}; the stories: ${all.map(([, s]) => s.name).join(', ')}`,
  );
  process.exit(2);
}
const chosen = names.length > 0 ? all.filter(([, story]) => names.includes(story.name)) : all;
try {
  await recordStories(chosen);
} catch (error) {
  progress(
    `recording failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  // A story that hung may leave its worker polling: do not wait for it.
  process.exit(1);
}
