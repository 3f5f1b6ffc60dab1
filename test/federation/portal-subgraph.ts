import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

/**
 * A second subgraph, as another team would write it: an employee portal that knows its
 * employees, which Anypoint username each one logs in with, and who owns which API instance.
 * It references Anypoint users by username only (it cannot resolve them) and adds one field to
 * the gateway's Api entity, so a router has to cross both subgraphs in both directions.
 */
export const PORTAL_TYPE_DEFS = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

type Query {
  employees: [Employee!]!
}

type Employee @key(fields: "id") {
  id: ID!
  name: String!
  "The employee's Anypoint account, resolved by the anypoint subgraph."
  account: User
  "API instances the employee owns, resolved by the anypoint subgraph."
  ownedApis: [Api!]!
}

type User @key(fields: "username", resolvable: false) {
  username: String!
}

# Api ids are API Manager instance ids (plain integers), unique across environments, so the id
# alone is the key. (No description: a different one from the anypoint subgraph's is a hint.)
type Api @key(fields: "id") {
  id: ID!
  "The portal's owner of record (an employee name), when it has one."
  portalOwner: String
}
`;

export interface PortalEmployee {
  id: string;
  name: string;
  /** The Anypoint username, or null for an employee without an account. */
  username: string | null;
  /** Ids of the API instances this employee owns. */
  apiIds: string[];
}

export interface PortalSubgraph {
  name: 'portal';
  /** The GraphQL endpoint: the standalone server answers at its root path. */
  url: string;
  typeDefs: string;
  /** Every operation the portal served, in order (the router's fetches). */
  requests: Array<{ query: string; variables: Record<string, unknown> | undefined }>;
  close(): Promise<void>;
}

export async function startPortalSubgraph(employees: PortalEmployee[]): Promise<PortalSubgraph> {
  const ownerOf = new Map<string, string>();
  for (const e of employees) for (const apiId of e.apiIds) ownerOf.set(apiId, e.name);
  const byId = new Map(employees.map((e) => [e.id, e]));
  const requests: PortalSubgraph['requests'] = [];

  const resolvers = {
    Query: { employees: () => employees },
    Employee: {
      __resolveReference: ({ id }: { id: string }) => byId.get(id) ?? null,
      account: (e: PortalEmployee) => (e.username === null ? null : { username: e.username }),
      ownedApis: (e: PortalEmployee) => e.apiIds.map((id) => ({ id })),
    },
    Api: {
      // Any API instance may be referenced; only some have an owner of record.
      __resolveReference: ({ id }: { id: string }) => ({ id }),
      portalOwner: ({ id }: { id: string }) => ownerOf.get(id) ?? null,
    },
  };

  const server = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: parse(PORTAL_TYPE_DEFS), resolvers }),
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      {
        async requestDidStart({ request }) {
          requests.push({ query: request.query ?? '', variables: request.variables });
        },
      },
    ],
  });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  return { name: 'portal', url, typeDefs: PORTAL_TYPE_DEFS, requests, close: () => server.stop() };
}
