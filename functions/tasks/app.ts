import { Api } from '#shared/http/api.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { registerHazardAreas } from './hazard-areas.ts';
import { registerTasks } from './tasks.ts';
import { registerTeams } from './teams.ts';

const api = new Api({ idempotency });
registerHazardAreas(api);
registerTasks(api);
registerTeams(api);

export const app = api.app;
export const routes = api.routes;
