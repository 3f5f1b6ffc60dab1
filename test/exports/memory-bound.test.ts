import { describe, expect, it } from 'vitest';
import { memoryBound } from '../../src/exports/memory-bound.js';

describe('memoryBound', () => {
  it('collects after a group only once the heap grew past the bound since the last collection', () => {
    let heap = 100 * 1_048_576;
    let collected = 0;
    const bound = memoryBound({ growthMb: 32, heapUsed: () => heap, collect: () => ((collected += 1), (heap = 110 * 1_048_576)) });
    heap += 20 * 1_048_576;
    bound.afterGroup();
    expect(collected).toBe(0);
    heap += 20 * 1_048_576; // 40 MB over the start
    bound.afterGroup();
    expect(collected).toBe(1);
    // Measured again from what the collection left (110 MB): 20 MB more is under the bound.
    heap += 20 * 1_048_576;
    bound.afterGroup();
    expect(collected).toBe(1);
    expect(bound.collections).toBe(1);
  });

  it('does nothing where no full collection is available', () => {
    const bound = memoryBound({ growthMb: 1, heapUsed: () => Number.MAX_SAFE_INTEGER, collect: null });
    bound.afterGroup();
    expect(bound.collections).toBe(0);
  });

  it('finds V8\'s full collection in this process without --expose-gc', () => {
    let heap = 0;
    const bound = memoryBound({ growthMb: 0, heapUsed: () => (heap += 1) });
    bound.afterGroup();
    expect(bound.collections).toBe(1);
  });
});
