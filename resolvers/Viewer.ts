import type { ViewerResolvers } from '../src/generated/resolvers-types.js';

export const Viewer: ViewerResolvers = {
  organization: (viewer) => ({ id: viewer.orgId }),
};
