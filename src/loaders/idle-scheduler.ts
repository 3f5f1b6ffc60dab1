/**
 * Dispatches DataLoader batches when the request has no reads in flight.
 *
 * DataLoader's default batches per tick. Here the keys of one "wave" arrive over several ticks
 * (e.g. the member lists of 12 teams come back a few ms apart, each asking for its users), and
 * a batch per tick would fetch users a few at a time. Waiting until every read of the request
 * has settled gathers the whole wave into one batch, so the loader can choose one listing over
 * many single GETs. The wait adds no latency on the critical path: the next wave depends on
 * the reads that are still running.
 */
export class IdleScheduler {
  private inflight = 0;
  private waiting: Array<() => void> = [];
  /** Batches scheduled since the last check: decided together, so one cannot hold back the others. */
  private scheduled: Array<() => void> = [];

  /** Counts a read (cache lookup or upstream call) for as long as it runs. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inflight += 1;
    const done = () => {
      this.inflight -= 1;
      if (this.inflight === 0) setImmediate(() => this.flush());
    };
    work.then(done, done);
    return work;
  }

  /** A DataLoader batchScheduleFn. */
  readonly schedule = (dispatch: () => void): void => {
    this.scheduled.push(dispatch);
    if (this.scheduled.length > 1) return;
    // One check for every batch scheduled in this turn. Checked one by one, the first batch to
    // go would start its reads and the others (a team, an environment beside 20 users in one
    // _entities) would wait for those reads, though nothing they need comes from them.
    setImmediate(() => {
      const ready = this.scheduled;
      this.scheduled = [];
      if (this.inflight === 0) for (const go of ready) go();
      else this.waiting.push(...ready);
    });
  };

  private flush(): void {
    if (this.inflight > 0) return;
    const ready = this.waiting;
    this.waiting = [];
    for (const dispatch of ready) dispatch();
  }
}
