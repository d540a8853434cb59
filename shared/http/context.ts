import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** What every request of the API carries (set by the Api's first middleware). */
export type AppEnv = {
  Variables: {
    requestId: string;
    log: Logger;
    /** The route needs a token: its answers are never stored by caches... */
    authenticated?: boolean;
    /** ...unless it declared itself `cacheable` (reference data, no personal data): its own Cache-Control stands. */
    cacheable?: boolean;
  };
};

/** A JSON answer as the routes build it, and as a create's record replays it. */
export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export const send = (c: Context<AppEnv>, response: StoredResponse): Response =>
  c.json(response.body as object, response.status as ContentfulStatusCode, response.headers);
