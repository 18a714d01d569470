import type { AppRouter } from '@reelpost/api';
import { buildOpenApiDocument } from '../openapi.js';

export type RouteNamer = (method: string, path: string, route: string) => string;

/**
 * Names the requests Hono sees only as `/trpc/*` and `/api/v1/*` by what they call, still from a closed set: the
 * REST operation's path template from the OpenAPI document (`/api/v1/tasks/{id}/detail`), or the tRPC procedure
 * (`/trpc/tiktok.post`; a batch of several is `/trpc/{batch}`, a name we do not serve `/trpc/{unknown}`). Every
 * other route keeps Hono's template.
 */
export function apiRouteNamer(router: AppRouter): RouteNamer {
  const procedures = new Set(Object.keys(router._def.procedures));
  const rest: { method: string; pattern: RegExp; template: string }[] = [];
  for (const [path, operations] of Object.entries(buildOpenApiDocument(router, 'http://localhost').paths ?? {})) {
    const pattern = new RegExp(`^/api/v1${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}/?$`);
    for (const method of Object.keys(operations ?? {})) rest.push({ method: method.toUpperCase(), pattern, template: `/api/v1${path}` });
  }
  return (method, path, route) => {
    if (route === '/trpc/*') {
      const names = path.slice('/trpc/'.length).split(',');
      if (names.length > 1) return '/trpc/{batch}';
      return procedures.has(names[0]!) ? `/trpc/${names[0]}` : '/trpc/{unknown}';
    }
    if (route === '/api/v1/*') {
      return rest.find((operation) => operation.method === method && operation.pattern.test(path))?.template ?? '/api/v1/{unknown}';
    }
    return route;
  };
}
