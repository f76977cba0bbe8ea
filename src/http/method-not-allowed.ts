import type { RouterRoute } from 'hono/types';

const cache = new WeakMap<RouterRoute[], { pattern: RegExp; method: string }[]>();

function compile(routes: RouterRoute[]) {
  let compiled = cache.get(routes);
  if (!compiled) {
    compiled = routes
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
      .map((r) => ({
        method: r.method,
        pattern: new RegExp(`^${r.path.replace(/[.+?^$()[\]\\|]/g, '\\$&').replace(/:[A-Za-z0-9_]+(\{[^}]*\})?/g, '[^/]+')}/?$`),
      }));
    cache.set(routes, compiled);
  }
  return compiled;
}

/** The methods a path does answer to, for a 405 with an Allow header instead of a misleading 404. */
export function allowedMethods(routes: RouterRoute[], path: string): string[] {
  const methods = new Set(compile(routes).filter((r) => r.pattern.test(path)).map((r) => r.method));
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
