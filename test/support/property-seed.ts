// One seed per property-test file and run: FC_SEED when set, else a fixed default, so a run is
// reproducible and a failure can be replayed. Printed once, with how to replay it.
import fc from 'fast-check';

const DEFAULT_SEED = 20261203;

/** Fixes fast-check's seed for every property of the calling file, and prints it. */
export function fixPropertySeed(file: string): number {
  const raw = process.env.FC_SEED;
  const seed = raw === undefined || raw === '' ? DEFAULT_SEED : Number(raw);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`FC_SEED must be an integer, got ${raw}`);
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
  console.log(`[fast-check] ${file}: seed ${seed} (replay with FC_SEED=${seed})`);
  return seed;
}
