import { Api } from '#shared/http/api.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { erasureRoutes } from './erasure.ts';
import { registerHouseholds } from './households.ts';
import { householdImportRoutes } from './imports.ts';
import { displacementStatsRoutes } from './stats.ts';

/**
 * The households function: registration, reads with an access log, lifecycle and updates
 * (`households.ts`), erasure, consent and the family's copy (`erasure.ts`), the displacement statistics and the bulk imports.
 */
const api = new Api({ idempotency });
registerHouseholds(api);
erasureRoutes(api);
displacementStatsRoutes(api);
householdImportRoutes(api);

export const app = api.app;
export const routes = api.routes;
