import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Scalar } from '@scalar/hono-api-reference';
import type { Hono } from 'hono';
import type { AppEnv } from './context.ts';

const SCALAR_BUNDLE_PATH = '/docs/scalar.js';

/** The Scalar bundle from the installed package, read and compressed once, so /docs works offline. */
function loadScalarBundle() {
  const require = createRequire(import.meta.url);
  // The package entry is dist/index.js; the single-file browser bundle sits beside it.
  const distDir = dirname(require.resolve('@scalar/api-reference'));
  const raw = readFileSync(join(distDir, 'browser/standalone.js'));
  return { raw, gzip: gzipSync(raw) };
}

export function registerDocs(app: Hono<AppEnv>, openApiPath: string) {
  let bundle: ReturnType<typeof loadScalarBundle> | undefined;

  app.get(SCALAR_BUNDLE_PATH, (c) => {
    bundle ??= loadScalarBundle();
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=86400');
    c.header('Vary', 'Accept-Encoding');
    if (gzip) c.header('Content-Encoding', 'gzip');
    return c.body(new Uint8Array(gzip ? bundle.gzip : bundle.raw));
  });

  // Browsers ask for it on every page; an empty answer instead of a 404 problem.
  app.get('/favicon.ico', (c) => c.body(null, 204));

  app.get(
    '/docs',
    Scalar({
      url: openApiPath,
      cdn: SCALAR_BUNDLE_PATH,
      pageTitle: 'Parseo API reference',
      // Fonts would come from a CDN too; the system fonts keep the page fully offline.
      withDefaultFonts: false,
      // Scalar's hosted extras (developer tools, MCP generation) need its cloud; off here.
      showDeveloperTools: 'never',
      mcp: { disabled: true },
      telemetry: false,
    }),
  );
}
