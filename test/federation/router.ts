import type { IncomingHttpHeaders } from 'node:http';
import { composeServices, type CompositionResult } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { Kind, parse, print, type ConstArgumentNode, type DocumentNode } from 'graphql';

/**
 * What a supergraph deployment does with this gateway, done in-process: fetch each subgraph's
 * SDL over HTTP (as `rover supergraph compose` does with `subgraph_url`), compose with
 * @apollo/composition, and route with @apollo/gateway (standing in for the Apollo Router).
 */

export interface SubgraphSdl {
  name: string;
  /** Where the router sends this subgraph's fetches. */
  url: string;
  sdl: string;
}

export interface GqlResponse<T = any> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export async function postGraphql<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GqlResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as Omit<GqlResponse<T>, 'status'>;
  return { status: res.status, ...body };
}

/** The subgraph's own SDL, from `{ _service { sdl } }` over HTTP. */
export async function fetchServiceSdl(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await postGraphql<{ _service: { sdl: string } }>(url, '{ _service { sdl } }', undefined, headers);
  if (res.status !== 200 || res.errors || !res.data) throw new Error(`_service query failed (${res.status}): ${JSON.stringify(res.errors)}`);
  return res.data._service.sdl;
}

export function composeSupergraph(subgraphs: SubgraphSdl[]): CompositionResult {
  return composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
}

function stringArg(args: readonly ConstArgumentNode[] | undefined, name: string): string | undefined {
  const arg = args?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  return arg.value.kind === Kind.STRING || arg.value.kind === Kind.ENUM ? arg.value.value : print(arg.value);
}

/**
 * The entities of a supergraph: type -> one "GRAPH key" entry per `@join__type(graph:, key:)`,
 * with " (resolvable: false)" when that graph only references the type. Types without any key
 * are left out.
 */
export function supergraphEntities(supergraphSdl: string): Record<string, string[]> {
  const doc: DocumentNode = parse(supergraphSdl);
  const entities: Record<string, string[]> = {};
  for (const def of doc.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    const keys = (def.directives ?? [])
      .filter((d) => d.name.value === 'join__type')
      .flatMap((d) => {
        const key = stringArg(d.arguments, 'key');
        if (key === undefined) return [];
        const resolvable = stringArg(d.arguments, 'resolvable') !== 'false';
        return [`${stringArg(d.arguments, 'graph')} ${key}${resolvable ? '' : ' (resolvable: false)'}`];
      });
    if (keys.length) entities[def.name.value] = keys;
  }
  return entities;
}

/** How the router treats headers on its way to one subgraph (the Router's `headers:` config). */
export interface SubgraphHeaderRules {
  /** Headers of the client request passed on as they are. */
  propagate?: string[];
  /** Fixed headers added to every fetch, e.g. the subgraph's API key. */
  insert?: Record<string, string>;
}

export interface RouterHarness {
  url: string;
  /** Every fetch the router sent, in order, with the subgraph it went to. */
  fetches: Array<{ subgraph: string; query: string; variables: Record<string, unknown> | undefined }>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResponse<T>>;
  close(): Promise<void>;
}

interface RouterContext {
  headers: IncomingHttpHeaders;
}

export async function startRouter(supergraphSdl: string, headerRules: Record<string, SubgraphHeaderRules> = {}): Promise<RouterHarness> {
  const fetches: RouterHarness['fetches'] = [];
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<RouterContext>({
        url,
        willSendRequest({ request, context }) {
          const rules = headerRules[name] ?? {};
          const incoming = (context as Partial<RouterContext>).headers ?? {};
          for (const header of rules.propagate ?? []) {
            const value = incoming[header.toLowerCase()];
            if (typeof value === 'string') request.http?.headers.set(header, value);
          }
          for (const [header, value] of Object.entries(rules.insert ?? {})) request.http?.headers.set(header, value);
          fetches.push({ subgraph: name, query: request.query ?? '', variables: request.variables });
        },
      }),
  });
  const server = new ApolloServer<RouterContext>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async ({ req }) => ({ headers: req.headers }),
  });
  return {
    url,
    fetches,
    gql: (query, variables, headers) => postGraphql(url, query, variables, headers),
    close: () => server.stop(),
  };
}
