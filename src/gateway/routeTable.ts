import type { RouteTarget } from '../model/httpSchema.js';

type Segment = { kind: 'static'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

interface Route {
  readonly key: string;
  /** Undefined for `$default`. */
  readonly method: string | undefined;
  /** The path template, e.g. `/customers/{id}` (REST's `resource`). */
  readonly resource: string;
  readonly segments: readonly Segment[];
  readonly target: RouteTarget;
}

/** The route a request matched, with its path parameters (decoded). */
export interface RouteMatch {
  readonly routeKey: string;
  readonly resource: string;
  readonly pathParameters: Readonly<Record<string, string>> | undefined;
  readonly target: RouteTarget;
}

function parse(key: string, target: RouteTarget): Route {
  if (key === '$default') return { key, method: undefined, resource: '/{proxy+}', segments: [], target };
  const [method = '', path = '/'] = key.split(' ');
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s): Segment => {
      const param = /^\{([^}+]+)(\+?)\}$/.exec(s);
      if (param?.[1] === undefined) return { kind: 'static', value: s };
      return param[2] === '+' ? { kind: 'greedy', name: param[1] } : { kind: 'param', name: param[1] };
    });
  return { key, method, resource: path, segments, target };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Matches path segments against a route; returns its parameters and a specificity score, or undefined. */
function matchRoute(
  route: Route,
  parts: readonly string[],
): { params: Record<string, string>; score: number } | undefined {
  const params: Record<string, string> = {};
  let score = 0;
  for (const [i, segment] of route.segments.entries()) {
    if (segment.kind === 'greedy') {
      if (i >= parts.length) return undefined;
      params[segment.name] = parts.slice(i).map(decode).join('/');
      return { params, score };
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.kind === 'static') {
      if (segment.value !== part) return undefined;
      score += 1_000;
    } else {
      params[segment.name] = decode(part);
      score += 10;
    }
  }
  return parts.length === route.segments.length ? { params, score: score + 1 } : undefined;
}

/**
 * API Gateway's route selection: the most specific match wins — static segments over `{param}` over
 * `{proxy+}`, an exact method over `ANY` — and `$default` catches the rest.
 *
 * @example
 * const table = new RouteTable({ 'GET /customers/{id}': { function: 'profile' } });
 * table.match('GET', '/customers/c-1')?.pathParameters; // { id: 'c-1' }
 */
export class RouteTable {
  private readonly routes: readonly Route[];

  constructor(routes: Readonly<Record<string, RouteTarget>>) {
    this.routes = Object.entries(routes).map(([key, target]) => parse(key, target));
  }

  match(method: string, path: string): RouteMatch | undefined {
    const parts = path.split('/').filter((s) => s !== '');
    let best: { route: Route; params: Record<string, string>; score: number } | undefined;
    for (const route of this.routes) {
      if (route.method === undefined || (route.method !== 'ANY' && route.method !== method)) continue;
      const matched = matchRoute(route, parts);
      if (matched === undefined) continue;
      const score = matched.score * 2 + (route.method === method ? 1 : 0);
      if (best === undefined || score > best.score) best = { route, params: matched.params, score };
    }
    const route = best?.route ?? this.routes.find((r) => r.method === undefined);
    if (route === undefined) return undefined;
    const params = best?.params ?? {};
    return {
      routeKey: route.key,
      resource: route.resource,
      pathParameters: Object.keys(params).length === 0 ? undefined : params,
      target: route.target,
    };
  }
}
