import type { RouteDef } from './http.js';

interface CompiledRoute {
  def: RouteDef;
  pattern: RegExp;
  names: string[];
}

export interface RouteMatch {
  def: RouteDef;
  params: Record<string, string>;
}

/** Matches a method and path against route templates like /accounts/api/organizations/{orgId}. */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(defs: readonly RouteDef[]) {
    this.routes = defs.map((def) => {
      const names: string[] = [];
      const source = def.template
        .split('/')
        .map((segment) => {
          const m = /^\{(\w+)\}$/.exec(segment);
          if (!m) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          names.push(m[1]!);
          return '([^/]+)';
        })
        .join('/');
      return { def, names, pattern: new RegExp(`^${source}$`) };
    });
  }

  /** The route for this path under any method, so a wrong method can be told apart from a 404. */
  match(method: string, path: string): { match?: RouteMatch; pathKnown: boolean } {
    let pathKnown = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      pathKnown = true;
      if (route.def.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeSegment(m[i + 1]!);
      });
      return { match: { def: route.def, params }, pathKnown };
    }
    return { pathKnown };
  }

  get definitions(): readonly RouteDef[] {
    return this.routes.map((r) => r.def);
  }
}

/**
 * A malformed escape (e.g. "%E0%A4%A") stays as it was rather than throwing: the lookup then
 * misses and the route answers its usual 404, where a URIError here would escape the request
 * listener and take the whole simulator down.
 */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
