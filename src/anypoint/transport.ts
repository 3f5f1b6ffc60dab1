import { errors as undiciErrors, type Dispatcher } from 'undici';
import { AnypointError } from './errors.js';
import { DownloadError } from './download-errors.js';
import { bodyText, exchange, ResponseTooLargeError, type ExchangeResponse } from './http-exchange.js';

/** One HTTP exchange over undici, with the body parsed by content type. No retries, no auth. */
export interface TransportRequest {
  method: string;
  /** Path with query string, relative to the origin. */
  path: string;
  route: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Most body bytes to read (file downloads); see ExchangeRequest.maxBodyBytes. */
  maxBodyBytes?: number;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, text, a Buffer for binary content, or undefined when empty. */
  body: unknown;
}

function isTimeout(error: unknown): boolean {
  return (
    error instanceof undiciErrors.ConnectTimeoutError ||
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError
  );
}

/** Network failures become AnypointErrors; undici's error sits in `cause` for logs. */
export function networkError(error: unknown, method: string, route: string, signal?: AbortSignal): AnypointError {
  if (error instanceof AnypointError) return error;
  if (signal?.aborted) return new AnypointError({ status: null, code: 'ABORTED', method, route, upstreamMessage: 'The request was cancelled' }, { cause: error });
  if (isTimeout(error)) return new AnypointError({ status: null, code: 'TIMEOUT', method, route, upstreamMessage: 'The platform did not answer in time' }, { cause: error });
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return new AnypointError(
    { status: null, code: 'UPSTREAM_UNAVAILABLE', method, route, upstreamMessage: `Connection failed${code ? ` (${code})` : ''}` },
    { cause: error },
  );
}

export async function send(dispatcher: Dispatcher, origin: string, req: TransportRequest): Promise<TransportResponse> {
  let response: ExchangeResponse;
  try {
    response = await exchange(dispatcher, {
      origin,
      method: req.method as Dispatcher.HttpMethod,
      path: req.path,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
      maxBodyBytes: req.maxBodyBytes,
    });
  } catch (error) {
    // The download path's limits (a body over its cap, a host resolved to a refused address) are
    // not network failures: never retried, each keeps its own code.
    if (error instanceof ResponseTooLargeError || error instanceof DownloadError) throw error;
    throw networkError(error, req.method, req.route, req.signal);
  }
  return { status: response.status, headers: response.headers, body: parseBody(response, req) };
}

/** The body by content type: JSON parsed, text as a string, anything else as a Buffer; undefined when empty. */
function parseBody(response: ExchangeResponse, req: TransportRequest): unknown {
  if (response.status === 204) return undefined;
  const type = String(response.headers['content-type'] ?? '');
  if (type.includes('json')) {
    const text = bodyText(response.chunks);
    try {
      return text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new AnypointError({ status: response.status, code: 'UPSTREAM_UNAVAILABLE', method: req.method, route: req.route, upstreamMessage: 'The platform sent malformed JSON' });
    }
  }
  if (type.startsWith('text/') || type.includes('yaml')) return bodyText(response.chunks) || undefined;
  // A copy the caller owns, not a view into the connection's read buffer.
  const buffer = Buffer.concat(response.chunks);
  return buffer.length ? buffer : undefined;
}
