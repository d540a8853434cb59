import { Api } from '#shared/http/api.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { distributionRoutes } from './distribution.ts';
import { assistanceRecordRoutes } from './records.ts';
import { assistanceStatsRoutes } from './stats.ts';

/**
 * The assistance function: records of assistance given to households (by id, or by the code on
 * the family's card), the statistics per round, distribution lists and the uploads that record
 * a round from them.
 */
const api = new Api({ idempotency });
assistanceRecordRoutes(api);
assistanceStatsRoutes(api);
distributionRoutes(api);

export const app = api.app;
export const routes = api.routes;
