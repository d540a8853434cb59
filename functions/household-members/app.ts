import { Api } from '#shared/http/api.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { memberRoutes } from './members.ts';
import { splitRoutes } from './split.ts';
import { verificationRoutes } from './verification.ts';

/**
 * The household-members function: a household's members over time (births, arrivals,
 * corrections, departures, the head), splits into a new household, and verification. Every change
 * reads the household in the caller's scope, checks `If-Match`, and writes the household, its
 * history, its access log, its counters and its event in one transaction (`change.ts`).
 */
const api = new Api({ idempotency });
memberRoutes(api);
splitRoutes(api);
verificationRoutes(api);

export const app = api.app;
export const routes = api.routes;
