import { Api } from '#shared/http/api.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { siteRoutes } from './sites.ts';
import { displacementStatsRoutes } from './displacement-stats.ts';
import { siteStatsRoutes } from './stats.ts';

/**
 * The sites function: displacement sites (`sites.ts`), their figures (`stats.ts`) and the
 * displacement statistics (`displacement-stats.ts`): the counters the household changes keep, read here.
 */
const api = new Api({ idempotency });
siteRoutes(api);
siteStatsRoutes(api);
displacementStatsRoutes(api);

export const app = api.app;
export const routes = api.routes;
