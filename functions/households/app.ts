import { Api } from '#shared/http/api.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { erasureRoutes } from './erasure.ts';
import { registerHouseholds } from './households.ts';
import { householdImportRoutes } from './imports.ts';

/**
 * The households function: registration, lists and reads with an access log, movements and
 * updates (`households.ts` and the files it registers), erasure, consent and the family's copy
 * (`erasure.ts`) and the bulk imports. The displacement statistics are served by `sites`.
 */
const api = new Api({ idempotency });
registerHouseholds(api);
erasureRoutes(api);
householdImportRoutes(api);

export const app = api.app;
export const routes = api.routes;
