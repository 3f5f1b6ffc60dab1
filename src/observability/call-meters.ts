/**
 * Upstream calls counted per GraphQL request, by the request id every call carries (writes carry
 * `<requestId>.w<n>`). Demand control settles its reservation with the count, and the operation
 * log line and metrics report it beside the estimate.
 *
 * A caller may send its own x-request-id, so two requests in flight can share one. A call then
 * cannot be told apart, and is counted against every meter open under that id: requests that
 * share an id are each charged all of their calls (never fewer than they made), so reusing an id
 * cannot hide one request's calls behind another's.
 */
export interface CallMeter {
  calls: number;
}

export class CallMeters {
  /** One meter per request id; a Set only while several requests share one (rare: no allocation per request). */
  private readonly open = new Map<string, CallMeter | Set<CallMeter>>();

  start(requestId: string): CallMeter {
    const meter = { calls: 0 };
    const sharing = this.open.get(requestId);
    if (sharing === undefined) this.open.set(requestId, meter);
    else if (sharing instanceof Set) sharing.add(meter);
    else this.open.set(requestId, new Set([sharing, meter]));
    return meter;
  }

  finish(requestId: string, meter: CallMeter): void {
    const sharing = this.open.get(requestId);
    if (sharing === meter) this.open.delete(requestId);
    else if (sharing instanceof Set && sharing.delete(meter) && sharing.size === 0) this.open.delete(requestId);
  }

  /** Counts one upstream attempt against the request(s) it was made for, if still open. */
  count(requestId: string): void {
    let meters = this.open.get(requestId);
    if (meters === undefined) {
      const write = /\.w\d+$/.exec(requestId);
      if (write) meters = this.open.get(requestId.slice(0, write.index));
    }
    if (meters instanceof Set) for (const meter of meters) meter.calls += 1;
    else if (meters) meters.calls += 1;
  }
}
