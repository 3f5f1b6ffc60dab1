import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/**
 * The baseline: a bare @apollo/server, standalone, answering `{ hello }`. It shows what one core
 * can do with the GraphQL server alone, so each scenario's warm throughput and CPU per request
 * can be read as a ratio to it, measured in the same round on the same machine.
 */
const server = new ApolloServer({
  typeDefs: 'type Query { hello: String! }',
  resolvers: { Query: { hello: () => 'world' } },
});
const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
console.log(`baseline listening on ${url}`);

const stop = () => {
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
