import { errors as undiciErrors, type Dispatcher } from 'undici';
import { AnypointError } from './errors.js';

/** One HTTP exchange over undici, with the body parsed by content type. No retries, no auth. */
export interface TransportRequest {
  method: string;
  /** Path with query string, relative to the origin. */
  path: string;
  route: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
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
  let response: Dispatcher.ResponseData;
  try {
    response = await dispatcher.request({
      origin,
      method: req.method as Dispatcher.HttpMethod,
      path: req.path,
      headers: req.headers,
      body: req.body,
      signal: req.signal,
    });
  } catch (error) {
    throw networkError(error, req.method, req.route, req.signal);
  }
  let body: unknown;
  try {
    const type = String(response.headers['content-type'] ?? '');
    if (response.statusCode === 204) {
      await response.body.dump();
    } else if (type.includes('json')) {
      const text = await response.body.text();
      body = text === '' ? undefined : JSON.parse(text);
    } else if (type.startsWith('text/') || type.includes('yaml')) {
      body = (await response.body.text()) || undefined;
    } else {
      const buffer = Buffer.from(await response.body.arrayBuffer());
      body = buffer.length ? buffer : undefined;
    }
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new AnypointError({ status: response.statusCode, code: 'UPSTREAM_UNAVAILABLE', method: req.method, route: req.route, upstreamMessage: 'The platform sent malformed JSON' });
    }
    throw networkError(error, req.method, req.route, req.signal);
  }
  return { status: response.statusCode, headers: response.headers, body };
}
