/**
 * Start and stop as one lifecycle (STYLE.md habit 13): each start step registers how to close
 * what it just opened, and `closeAll()` closes everything in reverse order. A start that fails
 * part way calls it to close what it opened (so the process can exit instead of idling with an
 * embedded simulator still listening); a normal shutdown calls it too, so both close the same
 * things in the same order.
 */
export interface LifecycleLog {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface Lifecycle {
  /**
   * Registers a close. `done` is logged once it succeeded (e.g. "closed the cache"); a failure is
   * logged as "shutdown step failed: <done>" and the remaining steps still run.
   */
  onClose(done: string, close: () => Promise<unknown>, fields?: Record<string, unknown>): void;
  /** Runs every registered close, last registered first; once only, later calls share the first run. */
  closeAll(): Promise<void>;
}

interface CloseStep {
  done: string;
  close: () => Promise<unknown>;
  fields?: Record<string, unknown>;
}

export function createLifecycle(log: LifecycleLog): Lifecycle {
  const steps: CloseStep[] = [];
  let closing: Promise<void> | null = null;

  const runAll = async () => {
    for (const step of steps.reverse()) {
      try {
        await step.close();
        log.info(step.done, step.fields);
      } catch (error) {
        log.error(`shutdown step failed: ${step.done}`, { error: error instanceof Error ? error.message : String(error) });
      }
    }
  };

  return {
    onClose(done, close, fields) {
      // Something opened while the others close would never be closed: refuse it loudly.
      if (closing) throw new Error(`"${done}" was registered after the lifecycle started closing`);
      steps.push({ done, close, fields });
    },
    closeAll: () => (closing ??= runAll()),
  };
}
