import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Keeps a whole-platform export's memory bounded. Each business group's data is dropped once its
 * rows are written, so the live heap barely grows (about 12 MB over the large preset's access
 * review); but V8 collects its old generation only when that has grown by a factor of the live
 * heap, so garbage from group after group piled up to ~90 MB of RSS before a major collection
 * ran. After a group, when the heap has grown past `growthMb` since the last collection here,
 * this collects it: a few collections per export (~10-20 ms each on this heap), not one per group.
 */

type Collect = () => void;

let cached: Collect | null | undefined;

/** V8's full collection, made callable without starting node with --expose-gc; null where unavailable. */
function fullCollection(): Collect | null {
  if (cached !== undefined) return cached;
  try {
    setFlagsFromString('--expose-gc');
    cached = runInNewContext('gc') as Collect;
  } catch {
    cached = null;
  }
  return cached;
}

export const EXPORT_HEAP_GROWTH_MB = 32;

export function memoryBound(options: { growthMb?: number; heapUsed?: () => number; collect?: Collect | null } = {}) {
  const growth = (options.growthMb ?? EXPORT_HEAP_GROWTH_MB) * 1_048_576;
  const heapUsed = options.heapUsed ?? (() => process.memoryUsage().heapUsed);
  const collect = options.collect === undefined ? fullCollection() : options.collect;
  let base = heapUsed();
  let collections = 0;
  return {
    /** After a business group: collects when the heap grew past the bound since the last time. */
    afterGroup(): void {
      if (!collect || heapUsed() - base < growth) return;
      collect();
      collections += 1;
      base = heapUsed();
    },
    get collections() {
      return collections;
    },
  };
}
