/**
 * Runs tasks one at a time in the order they were queued. A failed task does not stop the ones
 * behind it; its caller gets the rejection.
 */
export interface SerialQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Resolves once everything queued so far has settled. */
  idle(): Promise<void>;
}

export function serialQueue(): SerialQueue {
  let tail: Promise<void> = Promise.resolve();
  return {
    run(task) {
      const result = tail.then(task);
      tail = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
    idle: () => tail,
  };
}
