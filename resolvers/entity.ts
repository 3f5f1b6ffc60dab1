/**
 * What a __resolveReference hands to @apollo/subgraph: a shallow copy of the loaded object. The
 * library tags the object it gets with its __typename (Object.defineProperty), and loaded objects
 * are the shared cache's own, frozen ones (src/cache/memory-backend.ts).
 */
export const asEntity = async <T extends object>(loading: Promise<T>): Promise<T> => ({ ...(await loading) });
