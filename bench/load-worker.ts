import autocannon from 'autocannon';
import type { LoadJob, LoadResult } from './load.js';

/**
 * The load generator: a process of its own, pinned away from the gateway's core, that runs one
 * autocannon job per message from the orchestrator and answers with the numbers. One
 * long-lived process rather than the CLI per run: the CLI's start-up would add seconds per round.
 *
 * Requests/s are taken from the first request to the last response, timed here: autocannon's
 * own duration only ends on one of its sampling ticks, which would add up to a tick to a run.
 */
const SAMPLE_MS = 100;

process.on('message', (job: LoadJob) => {
  const started = performance.now();
  let lastResponse = started;
  const instance = autocannon(
    {
      url: job.url,
      connections: job.connections,
      ...(job.amount ? { amount: job.amount } : { duration: job.durationSeconds ?? 1 }),
      sampleInt: SAMPLE_MS,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...job.headers },
      body: job.body,
      timeout: 30,
    },
    (error, r) => {
      if (error) {
        process.send!({ id: job.id, error: error.message });
        return;
      }
      const seconds = (lastResponse - started) / 1000;
      const result: LoadResult = {
        id: job.id,
        requests: r.requests.total,
        sent: r.requests.sent,
        durationSeconds: seconds,
        requestsPerSecond: seconds > 0 ? r.requests.total / seconds : 0,
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        ok: r['2xx'],
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
      };
      process.send!(result);
    },
  );
  instance.on('response', () => {
    lastResponse = performance.now();
  });
});

// The parent going away (even by SIGKILL) closes the channel: nothing is left to serve.
process.on('disconnect', () => process.exit(0));
console.log('load worker ready');
