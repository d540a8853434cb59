import { Api } from '#shared/http/api.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { siteRoutes } from './sites.ts';
import { siteStatsRoutes } from './stats.ts';

/** The sites function: displacement sites (`sites.ts`) and their figures (`stats.ts`). */
const api = new Api({ idempotency });
siteRoutes(api);
siteStatsRoutes(api);

export const app = api.app;
export const routes = api.routes;
