/**
 * @module Serves the built web app (`web/dist`, made by `vite build web`) from the Kiln server:
 * static assets under `/assets/`, and `index.html` for every other non-API path so the
 * single-page app's own router can take over (SPA fallback). HTML answers carry a strict
 * Content-Security-Policy (no inline script or style, no framing). When `web/dist` is missing
 * the server answers with a page saying how to build it, instead of a bare 404.
 *
 * Every route declares `access: 'public'`: the page shell holds no data; the API behind it
 * checks access per request.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../../shared/errors.js';
import { defineRoute, registerRoutes, type AnyRoute } from '../http/route.js';

/** The policy for every page of the app: scripts, styles and connections only from this origin. */
export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "object-src 'none'",
].join('; ');

export interface WebAppOptions {
  /** Folder holding the built app (default: `<repo>/web/dist`). */
  distDir?: string;
}

/** The default build output folder, found from this file's location (src/server/web → web/dist). */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8', '.map': 'application/json; charset=utf-8',
};

/** Paths the SPA never owns: unknown API paths must stay JSON 404s. */
const NOT_SPA = /^\/(api|healthz|metrics)(\/|$)/;

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kiln: web app not built</title></head>
<body><h1>The Kiln web app has not been built</h1>
<p>The server is running and its API answers under <code>/api/v2/</code>, but the browser app's files
(<code>web/dist</code>) are missing.</p>
<p>Build them with <code>npm run build:web</code> (that is, <code>vite build web</code>) and reload this page.</p>
</body></html>`;

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('Content-Security-Policy', WEB_CONTENT_SECURITY_POLICY)
    .header('X-Frame-Options', 'DENY')
    .header('Cross-Origin-Opener-Policy', 'same-origin');
}

async function fileIfExists(path: string): Promise<Buffer | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/** Resolves a request path to a file under `distDir`, refusing anything that escapes it. */
function staticPath(distDir: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  if (relative.startsWith('..') || relative.split(sep).includes('..')) return undefined;
  return join(distDir, relative);
}

/** The routes that serve the app; pass them as `extraRoutes` or register them with {@link registerWebApp}. */
export function webAppRoutes(options: WebAppOptions = {}): AnyRoute[] {
  const distDir = options.distDir ?? DEFAULT_WEB_DIST;
  const serve = async (urlPath: string, reply: FastifyReply): Promise<FastifyReply> => {
    const path = urlPath.split('?')[0] ?? '/';
    // Same answer as the app's not-found handler, so clients can tell "no such endpoint".
    if (NOT_SPA.test(path)) throw new AppError('not_found', `No route GET ${path}`);
    securityHeaders(reply);
    const file = extname(path) ? staticPath(distDir, path) : undefined;
    const asset = file && (await fileIfExists(file));
    if (asset) return reply.type(CONTENT_TYPES[extname(path)] ?? 'application/octet-stream').send(asset);
    // An asset-looking path that does not exist is a plain 404, not the app shell.
    if (path.startsWith('/assets/')) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    const index = await fileIfExists(join(distDir, 'index.html'));
    if (!index) return reply.code(503).type('text/html; charset=utf-8').send(MISSING_BUILD_PAGE);
    return reply.type('text/html; charset=utf-8').send(index);
  };
  return [
    defineRoute({ method: 'GET', url: '/', access: 'public', handler: ({ reply }) => serve('/', reply) }),
    defineRoute({ method: 'GET', url: '/*', access: 'public', handler: ({ request, reply }) => serve(request.url, reply) }),
  ];
}

/** Registers the web app on a Kiln Fastify app (call after the API routes, in buildApp). */
export function registerWebApp(app: FastifyInstance, options: WebAppOptions = {}): void {
  registerRoutes(app, webAppRoutes(options));
}
