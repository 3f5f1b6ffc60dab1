import { startChild, type Child } from './children.js';

/** Warm load runs, handed to the load-worker process (autocannon) over IPC. */

export interface LoadJob {
  id: number;
  url: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  /** Either a duration (the run abandons requests still in flight when it ends)... */
  durationSeconds?: number;
  /** ...or a number of requests, all answered before the run ends. */
  amount?: number;
  /** Give up on a run that takes longer than this. */
  timeoutSeconds: number;
}

export interface LoadResult {
  id: number;
  /** Responses received. */
  requests: number;
  /** Requests sent, including those still in flight when the run stopped. */
  sent: number;
  durationSeconds: number;
  requestsPerSecond: number;
  /** autocannon's latency histogram has 1 ms resolution. */
  p50Ms: number;
  p99Ms: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface LoadGenerator {
  run(job: Omit<LoadJob, 'id'>): Promise<LoadResult>;
  stop(): Promise<void>;
}

export async function startLoadGenerator(core: number | null): Promise<LoadGenerator> {
  const child: Child = await startChild({
    name: 'load generator',
    args: ['--import', 'tsx', new URL('./load-worker.ts', import.meta.url).pathname],
    core,
    ready: /^load worker (ready)/,
    ipc: true,
    timeoutMs: 30_000,
  });
  let next = 0;
  return {
    run(job) {
      const id = ++next;
      return new Promise<LoadResult>((resolve, reject) => {
        // autocannon stops on its own; this only catches a wedged worker or a server that hangs.
        const timer = setTimeout(() => finish(new Error(`the load run did not finish within ${job.timeoutSeconds} s`)), job.timeoutSeconds * 1000);
        const onMessage = (message: (LoadResult & { error?: undefined }) | { id: number; error: string }) => {
          if (message.id !== id) return;
          if (message.error !== undefined) finish(new Error(`load generator: ${message.error}`));
          else finish(null, message as LoadResult);
        };
        const onExit = () => finish(new Error('the load generator exited during a run'));
        const finish = (error: Error | null, result?: LoadResult) => {
          clearTimeout(timer);
          child.process.off('message', onMessage);
          child.process.off('exit', onExit);
          if (error) reject(error);
          else resolve(result!);
        };
        child.process.on('message', onMessage);
        child.process.once('exit', onExit);
        child.process.send({ ...job, id });
      });
    },
    stop: () => child.stop(),
  };
}
