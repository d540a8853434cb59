import { Hono } from 'hono';
import { apiFunctions, subPathsOf, type ApiFunctionName } from '../../functions/manifest.ts';
import { app as assistanceApp } from '../../functions/assistance/app.ts';
import { app as clearedAreasApp } from '../../functions/cleared-areas/app.ts';
import { app as duplicateReviewsApp } from '../../functions/duplicate-reviews/app.ts';
import { app as householdMembersApp } from '../../functions/household-members/app.ts';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as importSetupApp } from '../../functions/import-setup/app.ts';
import { app as metaApp } from '../../functions/meta/app.ts';
import { app as mineActionApp } from '../../functions/mine-action/app.ts';
import { app as notificationsApp } from '../../functions/notifications/app.ts';
import { app as placesApp } from '../../functions/places/app.ts';
import { app as sitesApp } from '../../functions/sites/app.ts';
import { app as reportsApp } from '../../functions/reports/app.ts';
import { app as tasksApp } from '../../functions/tasks/app.ts';
import { decodable } from '../../shared/http/api.ts';
import { BadRequest, HttpProblem, NotFound, problemOf, PROBLEM_CONTENT_TYPE } from '../../shared/http/problem.ts';
import { mountDatabaseHealth } from './health.ts';
import { mountLocalImports } from './imports.ts';
import { guardExposure, type ExposureOptions } from './loopback.ts';
import { mountConsole, mountLocalToken } from './web.ts';

const apps: Record<ApiFunctionName, { fetch: (request: Request) => Response | Promise<Response> }> = {
  meta: metaApp,
  tasks: tasksApp,
  'cleared-areas': clearedAreasApp,
  notifications: notificationsApp,
  'import-setup': importSetupApp,
  households: householdsApp,
  sites: sitesApp,
  assistance: assistanceApp,
  'duplicate-reviews': duplicateReviewsApp,
  'household-members': householdMembersApp,
  places: placesApp,
  reports: reportsApp,
  'mine-action': mineActionApp,
};

export interface LocalServerOptions {
  /** The DATA_DIR signing key: mounts `POST /local/token` for the web console's local sign-in. */
  privateKeyFile?: string;
  /** The built web console (web/dist), served at `/` after the API paths. */
  webDir?: string;
  /** Where the server listens: checks the `Host` header of every request (loopback) and of local sign-in (always). */
  exposure?: ExposureOptions;
}

/**
 * The local stand-in for API Gateway: the same function apps that the Lambdas wrap, routed
 * by the same path table (`functions/manifest.ts`) that the CDK stack turns into resources,
 * and a `/health` that checks the database; with `options`, also the web console, its local-only
 * sign-in and the checks of the `Host` header.
 */
export function createLocalServer(options: LocalServerOptions = {}): Hono {
  const root = new Hono();
  if (options.exposure) guardExposure(root, options.exposure);
  const problem = (p: HttpProblem) =>
    new Response(JSON.stringify(p.toBody()), { status: p.status, headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'X-Content-Type-Options': 'nosniff' } });
  // Before anything decodes the path (the console's file server would throw on it).
  root.use('*', async (c, next) => {
    if (!decodable(new URL(c.req.url).pathname))
      return problem(new BadRequest('The request path is not valid percent-encoded UTF-8.', [{ path: 'path', message: 'malformed percent-encoding' }]));
    await next();
  });
  // The apps answer their own errors; this is for the local parts around them (files, uploads, sign-in).
  root.onError((e: unknown) => {
    const known = problemOf(e);
    if (known) return problem(known);
    process.stderr.write(`[clearway] unhandled error in the local server: ${e instanceof Error ? e.message : String(e)}\n`);
    return problem(new HttpProblem(500, 'internal', 'Internal error', 'Something went wrong on our side.'));
  });
  mountDatabaseHealth(root);
  // The local stand-in for the import bucket's presigned PUT; before the apps, which own the path prefix.
  mountLocalImports(root);
  // More specific paths first: the first handler that answers wins (as API Gateway prefers a literal path part to {proxy+}).
  for (const fn of apiFunctions) {
    for (const sub of subPathsOf(fn)) {
      const path = sub.replace(/\{(\w+)\}/g, ':$1');
      root.all(path, (c) => apps[fn.name].fetch(c.req.raw));
      root.all(`${path}/*`, (c) => apps[fn.name].fetch(c.req.raw));
    }
  }
  for (const fn of apiFunctions) {
    const app = apps[fn.name];
    for (const base of fn.basePaths) {
      root.all(base, (c) => app.fetch(c.req.raw));
      root.all(`${base}/*`, (c) => app.fetch(c.req.raw));
    }
  }
  if (options.privateKeyFile) mountLocalToken(root, options.privateKeyFile);
  if (options.webDir) mountConsole(root, options.webDir);
  root.notFound((c) => {
    const body = new NotFound(`No operation ${c.req.method} ${new URL(c.req.url).pathname}; GET /openapi.json lists them.`).toBody();
    return c.body(JSON.stringify(body), 404, { 'Content-Type': PROBLEM_CONTENT_TYPE });
  });
  return root;
}
