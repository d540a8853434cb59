import type { RouteSpec } from '#shared/http/api.ts';

/**
 * Every operation of every API function, for the OpenAPI document. Imports the apps, so it
 * needs their configuration in the environment (see `functions/meta/generate-openapi.ts`).
 */
export async function allRoutes(): Promise<RouteSpec[]> {
  const apps = await Promise.all([
    import('./meta/app.ts'),
    import('./tasks/app.ts'),
    import('./cleared-areas/app.ts'),
    import('./notifications/app.ts'),
    import('./import-setup/app.ts'),
    import('./households/app.ts'),
    import('./reports/app.ts'),
    import('./mine-action/app.ts'),
    import('./assistance/app.ts'),
    import('./duplicate-reviews/app.ts'),
    import('./household-members/app.ts'),
    import('./places/app.ts'),
    import('./sites/app.ts'),
  ]);
  return apps.flatMap((a) => a.routes);
}
