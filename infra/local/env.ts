import { resolve } from 'node:path';
import type { LocalSecrets } from './keys.ts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from './keys.ts';

/** The local table; one per DATA_DIR (DynamoDB Local keeps its database file there). */
export const LOCAL_TABLE_NAME = 'clearway';

/** The local event bus's name (stands in for the CDK's `clearway` bus). */
export const LOCAL_BUS_NAME = 'clearway';

export const dataDirFromEnv = (): string => resolve(process.env.DATA_DIR || '.data');

/** Environment the function apps read (see `shared/config.ts`), pointed at the local parts. */
export function localFunctionEnv(endpoint: string, secrets: LocalSecrets, tableName = LOCAL_TABLE_NAME): Record<string, string> {
  return {
    RUNTIME: 'local',
    TABLE_NAME: tableName,
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    DYNAMODB_ENDPOINT: endpoint,
    JWT_ISSUER: LOCAL_ISSUER,
    JWT_AUDIENCE: LOCAL_AUDIENCE,
    JWKS_FILE: secrets.jwksFile,
    CURSOR_SECRET: secrets.cursorSecret,
    DOCUMENT_HASH_SECRET: secrets.documentHashSecret,
    // Metrics are CloudWatch EMF lines on Lambda; here they would only clutter the log.
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
  };
}
