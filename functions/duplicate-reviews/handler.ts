import { lambdaHandler } from '#shared/http/lambda.ts';
import { app } from './app.ts';

export const handler = lambdaHandler(app);
