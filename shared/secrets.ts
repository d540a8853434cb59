import { config } from './config.ts';

/**
 * Secret material the functions need at run time. Locally it comes from configuration that
 * `npm start` generated under `DATA_DIR`; on AWS from Secrets Manager, fetched on first use
 * (not at cold start) and cached for five minutes, so a rotated secret is picked up.
 */
async function fromSecretsManager(arn: string): Promise<string> {
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  const value = await getSecret(arn, { maxAge: 300 });
  if (typeof value !== 'string' || value.length < 32) throw new Error('secret is missing or shorter than 32 characters');
  return value;
}

/** Key that signs pagination cursors. */
export async function cursorKey(): Promise<string> {
  if (config.CURSOR_SECRET) return config.CURSOR_SECRET;
  if (config.CURSOR_SECRET_ARN) return fromSecretsManager(config.CURSOR_SECRET_ARN);
  throw new Error('no cursor secret configured');
}
