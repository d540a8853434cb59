import { Api } from '#shared/http/api.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { registerAccidents } from './accidents.ts';
import { registerRiskEducation } from './risk-education.ts';
import { registerMineActionStats } from './stats.ts';

const api = new Api({ idempotency });
registerAccidents(api);
registerRiskEducation(api);
registerMineActionStats(api);

export const app = api.app;
export const routes = api.routes;
