import type { Dispatcher } from 'undici';

/**
 * One HTTP request and its whole response, over undici's dispatch API. The client reads every
 * body in full anyway, so this collects the chunks in an array instead of going through
 * `dispatcher.request()`, whose per-call async resource and Readable body stream cost more CPU
 * than the rest of a small call's handling. Timeouts are the dispatcher's (headersTimeout,
 * bodyTimeout), as with request(); failures are undici's errors, as with request().
 */
export interface ExchangeRequest {
  origin: string;
  method: Dispatcher.HttpMethod;
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /**
   * Most body bytes to accept: a larger Content-Length, or more bytes than that on the wire,
   * aborts the request (and so its connection) with ResponseTooLargeError. No limit when absent.
   */
  maxBodyBytes?: number;
}

/** The response body is over ExchangeRequest.maxBodyBytes; nothing past the limit was read. */
export class ResponseTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The response body is larger than ${limit} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

export interface ExchangeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body's chunks as they arrived (none when it was empty). */
  chunks: Buffer[];
}

export function exchange(dispatcher: Dispatcher, req: ExchangeRequest): Promise<ExchangeResponse> {
  return new Promise((resolve, reject) => {
    const { signal } = req;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const response: ExchangeResponse = { status: 0, headers: {}, chunks: [] };
    const limit = req.maxBodyBytes;
    let received = 0;
    // Until the request is written to a connection there is nothing to abort: an abort while it
    // is queued is remembered and carried out when it starts (what request() does too).
    let controller: Dispatcher.DispatchController | null = null;
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      controller?.abort(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal?.removeEventListener('abort', onAbort);

    dispatcher.dispatch(
      { origin: req.origin, method: req.method, path: req.path, headers: req.headers, body: req.body },
      {
        onRequestStart(started) {
          controller = started;
          if (aborted) started.abort(signal!.reason as Error);
        },
        onResponseStart(control, statusCode, headers) {
          // An informational answer (1xx) is followed by the real one.
          if (statusCode < 200) return;
          response.status = statusCode;
          response.headers = headers as ExchangeResponse['headers'];
          // Announced too large: stop before reading any of it.
          if (limit !== undefined && Number(headers['content-length']) > limit) control.abort(new ResponseTooLargeError(limit));
        },
        onResponseData(control, chunk) {
          if (control.aborted) return;
          received += chunk.length;
          // A body without a length (or lying about it) is cut off at the limit, not buffered whole.
          if (limit !== undefined && received > limit) {
            control.abort(new ResponseTooLargeError(limit));
            return;
          }
          response.chunks.push(chunk);
        },
        onResponseEnd() {
          settle();
          resolve(response);
        },
        onResponseError(_, error) {
          settle();
          reject(error);
        },
      },
    );
  });
}

/** The body as text (UTF-8). */
export function bodyText(chunks: Buffer[]): string {
  if (chunks.length === 0) return '';
  return (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
}
