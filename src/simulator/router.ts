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

/** A lookup's result: the route, if any, and whether the path exists under some other method. */
export interface RouteLookup {
  match?: RouteMatch;
  pathKnown: boolean;
}

/**
 * Matches a method and path against route templates like /accounts/api/organizations/{orgId}.
 * Routes are bucketed by their number of segments (a placeholder is exactly one segment), so a
 * request is tried against the handful of templates of its own length, not all of them.
 */
export class Router {
  private readonly routes: CompiledRoute[];
  private readonly bySegments = new Map<number, CompiledRoute[]>();

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
    // Kept in declaration order within a bucket: the first matching template wins.
    for (const route of this.routes) {
      const count = segmentCount(route.def.template);
      const bucket = this.bySegments.get(count);
      if (bucket) bucket.push(route);
      else this.bySegments.set(count, [route]);
    }
  }

  /** The route for this path under any method, so a wrong method can be told apart from a 404. */
  match(method: string, path: string): RouteLookup {
    let pathKnown = false;
    for (const route of this.bySegments.get(segmentCount(path)) ?? []) {
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

function segmentCount(path: string): number {
  let count = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47 /* / */) count += 1;
  return count;
}

/**
 * A malformed escape (e.g. "%E0%A4%A") stays as it was rather than throwing: the lookup then
 * misses and the route answers its usual 404, where a URIError here would escape the request
 * listener and take the whole simulator down.
 */
function decodeSegment(segment: string): string {
  // Most ids carry no escape at all: skip the decode (and its try/catch) for them.
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
