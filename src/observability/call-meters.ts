/**
 * Upstream calls counted per GraphQL request, by the request id every call carries (writes carry
 * `<requestId>.w<n>`). Demand control settles its reservation with the count, and the operation
 * log line and metrics report it beside the estimate.
 */
export interface CallMeter {
  calls: number;
}

export class CallMeters {
  private readonly open = new Map<string, CallMeter>();

  start(requestId: string): CallMeter {
    const meter = { calls: 0 };
    this.open.set(requestId, meter);
    return meter;
  }

  finish(requestId: string, meter: CallMeter): void {
    if (this.open.get(requestId) === meter) this.open.delete(requestId);
  }

  /** Counts one upstream attempt against the request it was made for, if that is still open. */
  count(requestId: string): void {
    let meter = this.open.get(requestId);
    if (!meter) {
      const write = /\.w\d+$/.exec(requestId);
      if (write) meter = this.open.get(requestId.slice(0, write.index));
    }
    if (meter) meter.calls += 1;
  }
}
