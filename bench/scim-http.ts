/**
 * One SCIM request from the orchestrator, as an identity provider sends it (`Authorization:
 * Bearer <secret token>`, application/scim+json), timed from send to the last byte of the
 * response like bench/gql.ts. Anything but the expected status throws: a scenario that gets
 * refusals is broken, not slow.
 */
export interface ScimResponse {
  status: number;
  ms: number;
  body: any;
}

/** The gateway's /scim/v2 base from its /graphql URL (one listener serves both). */
export const scimBaseOf = (graphqlUrl: string) => `${new URL(graphqlUrl).origin}/scim/v2`;

export async function scim(base: string, key: string, method: string, path: string, body?: unknown, timeoutMs = 120_000): Promise<ScimResponse> {
  const started = performance.now();
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, accept: 'application/scim+json', ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  }
  return { status: res.status, ms, body: parsed };
}

/** Throws with the SCIM error's detail unless the status is the expected one. */
export function expectStatus(what: string, response: ScimResponse, status: number): any {
  if (response.status !== status) {
    const detail = response.body && typeof response.body === 'object' ? `: ${response.body.scimType ? `${response.body.scimType}: ` : ''}${response.body.detail ?? JSON.stringify(response.body).slice(0, 200)}` : '';
    throw new Error(`${what}: HTTP ${response.status} instead of ${status}${detail}`);
  }
  return response.body;
}
