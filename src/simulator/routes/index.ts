import type { RouteDef } from '../http.js';
import { accessRoutes } from './access.js';
import { auditRoutes } from './audit.js';
import { apiManagerRoutes } from './api-manager.js';
import { authRoutes } from './auth.js';
import { environmentRoutes } from './environments.js';
import { exchangeRoutes } from './exchange.js';
import { organizationRoutes } from './organizations.js';
import { roleRoutes } from './roles.js';
import { teamMemberRoutes } from './team-members.js';
import { teamRoutes } from './teams.js';
import { userRoutes } from './users.js';

/** Every platform route the simulator serves. */
export const platformRoutes: readonly RouteDef[] = [
  ...authRoutes,
  ...organizationRoutes,
  ...environmentRoutes,
  ...userRoutes,
  ...teamRoutes,
  ...teamMemberRoutes,
  ...roleRoutes,
  ...accessRoutes,
  ...apiManagerRoutes,
  ...exchangeRoutes,
  ...auditRoutes,
];
