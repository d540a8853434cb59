import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { config } from './config.ts';

/**
 * Secret material the functions need at run time. Locally it comes from configuration that
 * `npm start` generated under `DATA_DIR`; on AWS from Secrets Manager, fetched on first use
 * (not at cold start) and cached for five minutes, so a rotated secret is picked up.
 *
 * The Secrets Manager client is imported lazily and left out of the bundles (the Lambda runtime
 * provides it): bundled, even unused, it cost ~6 ms of every cold start (see `npm run bench`).
 * That is also why Powertools Parameters, which would do this caching for us, is not used.
 */
const MAX_AGE_MS = 5 * 60 * 1000;
const cache = new Map<string, { value: string; fetchedAt: number }>();
let client: SecretsManagerClient | undefined;

async function fromSecretsManager(arn: string): Promise<string> {
  const hit = cache.get(arn);
  if (hit && Date.now() - hit.fetchedAt < MAX_AGE_MS) return hit.value;
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  client ??= new SecretsManagerClient({ region: config.AWS_REGION });
  const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  const value = out.SecretString;
  if (typeof value !== 'string' || value.length < 32) throw new Error('secret is missing or shorter than 32 characters');
  cache.set(arn, { value, fetchedAt: Date.now() });
  return value;
}

/** Key that signs pagination cursors. */
export async function cursorKey(): Promise<string> {
  if (config.CURSOR_SECRET) return config.CURSOR_SECRET;
  if (config.CURSOR_SECRET_ARN) return fromSecretsManager(config.CURSOR_SECRET_ARN);
  throw new Error('no cursor secret configured');
}

/** Key of the keyed hash of identity document numbers; only functions that hash documents are given it. */
export async function documentHashKey(): Promise<string> {
  if (config.DOCUMENT_HASH_SECRET) return config.DOCUMENT_HASH_SECRET;
  if (config.DOCUMENT_HASH_SECRET_ARN) return fromSecretsManager(config.DOCUMENT_HASH_SECRET_ARN);
  throw new Error('no document hash secret configured (DOCUMENT_HASH_SECRET locally, DOCUMENT_HASH_SECRET_ARN on AWS)');
}
