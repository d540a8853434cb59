import * as z from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini ships without messages; a missing variable should say what was expected. `jitless`:
// this schema is parsed once, so compiling a fast parser for it (`new Function`) is pure cold-start
// cost; the interpreted parse is as fast for the one-request-at-a-time schemas of the routes.
z.config({ ...en(), jitless: true });

/**
 * Runtime configuration, parsed once at module load so that a missing or malformed variable
 * fails the cold start (or `npm start`) instead of the first request.
 */
const ConfigSchema = z
  .object({
    /** `aws` on Lambda, `local` under `npm start` and in tests. */
    RUNTIME: z._default(z.enum(['aws', 'local']), 'aws'),
    TABLE_NAME: z.string().check(z.minLength(1)),
    AWS_REGION: z._default(z.string(), 'ap-southeast-1'),
    /** DynamoDB Local endpoint; absent on AWS. */
    DYNAMODB_ENDPOINT: z.optional(z.url()),
    /** Issuer every token must carry: the Cognito user pool URL on AWS, `clearway-local` locally. */
    JWT_ISSUER: z.string().check(z.minLength(1)),
    /** Expected `aud` (the Cognito app client id); not checked when absent. */
    JWT_AUDIENCE: z.optional(z.string()),
    /** Remote JWKS (Cognito's `/.well-known/jwks.json`). */
    JWKS_URL: z.optional(z.url()),
    /** Local JWKS: a file holding the public key set generated on first start. */
    JWKS_FILE: z.optional(z.string()),
    /** Key that signs pagination cursors, locally from `DATA_DIR`. */
    CURSOR_SECRET: z.optional(z.string().check(z.minLength(32))),
    /** Secrets Manager secret holding the cursor key on AWS. */
    CURSOR_SECRET_ARN: z.optional(z.string()),
    /** Key of the keyed hash of identity document numbers, locally from `DATA_DIR`. */
    DOCUMENT_HASH_SECRET: z.optional(z.string().check(z.minLength(32))),
    /** Secrets Manager secret holding that key on AWS (only the households and importer functions get it). */
    DOCUMENT_HASH_SECRET_ARN: z.optional(z.string()),
    /** Most webhook subscriptions one organisation may hold (409 beyond). */
    SUBSCRIPTIONS_PER_ORG: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1000)), 10),
    /** Largest household CSV upload, in bytes (the signed `Content-Length` on AWS, the local `PUT`'s limit). 512 MiB: a million people is ≈ 150 MB. */
    IMPORT_MAX_BYTES: z._default(z.coerce.number().check(z.int(), z.minimum(1024), z.maximum(5 * 1024 ** 3)), 512 * 1024 * 1024),
    /** Most rows (people) one import job takes; a longer file fails before anything is written. */
    IMPORT_MAX_ROWS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10_000_000)), 1_000_000),
    /** The web console's origin, allowed by CORS (`-c consoleOrigin` on AWS); no CORS headers when absent. */
    CORS_ALLOWED_ORIGIN: z.optional(z.url()),
  })
  .check(
    z.refine((c) => Boolean(c.JWKS_URL) !== Boolean(c.JWKS_FILE), {
      message: 'set exactly one of JWKS_URL (Cognito) or JWKS_FILE (local key set)',
      path: ['JWKS_URL'],
    }),
    z.refine((c) => Boolean(c.CURSOR_SECRET) || Boolean(c.CURSOR_SECRET_ARN), {
      message: 'set CURSOR_SECRET (local) or CURSOR_SECRET_ARN (AWS)',
      path: ['CURSOR_SECRET'],
    }),
  );

export type Config = z.infer<typeof ConfigSchema>;

function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export const config: Config = loadConfig(process.env);
