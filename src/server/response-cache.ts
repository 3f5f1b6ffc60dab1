/**
 * Whole GraphQL answers, kept in this process for as long as everything they were built from is
 * still in the shared cache (see ReadThrough.freshUntil) and no write has happened since (the
 * write epoch). A warm org tree is ~1,200 resolved fields; answering it from here costs one
 * lookup instead. The answers are only ever what executing the query again would give, since
 * they expire with their inputs and every evict (on any replica sharing Redis) invalidates them.
 *
 * Bounded by the size of the answers' JSON (an approximation of what they hold in memory; their
 * strings are mostly shared with the cached entries they came from), least recently used first.
 */
export interface CachedAnswer {
  data: Record<string, unknown>;
  epoch: string;
  freshUntil: number;
  bytes: number;
}

export class ResponseCache {
  private readonly answers = new Map<string, CachedAnswer>();
  /** Each stored answer's data object -> its whole response body, for stringifyResult. */
  private readonly serialized = new WeakMap<object, string>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.answers.size, bytes: this.bytes };
  }

  /** The answer stored under key, if it is still fresh and no write has happened since. */
  get(key: string, epoch: string): Record<string, unknown> | undefined {
    const answer = this.answers.get(key);
    if (answer === undefined) return undefined;
    if (answer.epoch !== epoch || answer.freshUntil <= this.now()) {
      this.remove(key, answer);
      return undefined;
    }
    // Most recently used last: Map keeps insertion order, so eviction takes from the front.
    this.answers.delete(key);
    this.answers.set(key, answer);
    return answer.data;
  }

  set(key: string, epoch: string, data: Record<string, unknown>, freshUntil: number): void {
    if (!this.enabled || freshUntil <= this.now()) return;
    const json = JSON.stringify(data);
    const bytes = json.length;
    // One answer bigger than a quarter of the cache would push out everything else.
    if (bytes > this.maxBytes / 4) return;
    const previous = this.answers.get(key);
    if (previous) this.remove(key, previous);
    this.answers.set(key, { data, epoch, freshUntil, bytes });
    // The body itself, not only the data's JSON: a hit then allocates no new 25 KB string.
    this.serialized.set(data, `{"data":${json}}\n`);
    this.bytes += bytes;
    for (const [oldest, answer] of this.answers) {
      if (this.bytes <= this.maxBytes) break;
      this.remove(oldest, answer);
    }
  }

  /**
   * Apollo's stringifyResult: the body of a response, from the stored JSON when the response is
   * a stored answer (a hit, or the miss that just stored it). Serializing a 25 KB org tree was a
   * fifth of a hit's CPU. Same bytes as Apollo's default (JSON.stringify, then a newline).
   */
  stringifyResult(result: { data?: unknown; errors?: unknown; extensions?: unknown }): string {
    const body = result.errors === undefined && result.extensions === undefined && result.data ? this.serialized.get(result.data) : undefined;
    return body ?? `${JSON.stringify(result)}\n`;
  }

  private remove(key: string, answer: CachedAnswer): void {
    this.answers.delete(key);
    this.bytes -= answer.bytes;
  }
}
