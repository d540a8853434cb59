import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The process logger (Powertools: structured JSON, one line per entry). Request-scoped
 * children carry the request id; nothing here ever logs a body, a token or personal data.
 */
export const logger = new Logger({ serviceName: 'clearway' });

export const requestLogger = (requestId: string): Logger => logger.createChild({ persistentKeys: { requestId } });

/** What a log entry says of a caught error: its class and message, never the objects it carried. */
export const errorOf = (e: unknown): { name: string; message?: string } => (e instanceof Error ? { name: e.name, message: e.message } : { name: 'Unknown' });
