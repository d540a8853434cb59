import { Api } from '#shared/http/api.ts';
import { registerMonthlyStats } from './monthly.ts';

const api = new Api();

registerMonthlyStats(api);

export const app = api.app;
export const routes = api.routes;
