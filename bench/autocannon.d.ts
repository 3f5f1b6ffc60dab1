// autocannon ships no types; only what load-worker.ts uses is declared.
declare module 'autocannon' {
  interface Histogram {
    average: number;
    p50: number;
    p99: number;
    total: number;
  }
  interface Options {
    url: string;
    connections: number;
    duration?: number;
    amount?: number;
    /** How often it samples, in ms; a run also ends only on one of these ticks. */
    sampleInt?: number;
    method: string;
    headers: Record<string, string>;
    body: string;
    timeout?: number;
  }
  interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    latency: Histogram;
    requests: Histogram & { sent: number };
  }
  interface Instance {
    on(event: 'response', listener: () => void): Instance;
  }
  function autocannon(options: Options, callback: (error: Error | null, result: Result) => void): Instance;
  export default autocannon;
}
