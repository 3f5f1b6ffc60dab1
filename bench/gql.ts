/**
 * One GraphQL request from the orchestrator, timed from send to the last byte of the response
 * (parsing the JSON happens after the clock stops: it is the client's cost, not the gateway's).
 */
export interface GqlResponse {
  status: number;
  ms: number;
  /** The gateway's demand-control estimate of the request's upstream calls (x-upstream-calls-estimate), null when absent. */
  estimate: number | null;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

export async function postGql(url: string, payload: unknown, headers: Record<string, string> = {}, timeoutMs = 120_000): Promise<GqlResponse> {
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  const estimateHeader = res.headers.get('x-upstream-calls-estimate');
  let body: GqlResponse['body'];
  try {
    body = JSON.parse(text) as GqlResponse['body'];
  } catch {
    throw new Error(`${url} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
  return { status: res.status, ms, body, estimate: estimateHeader === null ? null : Number(estimateHeader) };
}

/** Throws with the first GraphQL error, so a broken scenario fails loudly instead of measuring errors. */
export function expectData(what: string, response: GqlResponse): unknown {
  if (response.status !== 200 || response.body.errors?.length || response.body.data == null) {
    const first = response.body.errors?.[0];
    throw new Error(`${what}: HTTP ${response.status}${first ? `, ${first.extensions?.code ?? 'error'}: ${first.message}` : ', no data'}`);
  }
  return response.body.data;
}
