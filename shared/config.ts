import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { parseEnv } from './env.ts';

// zod/mini ships without messages; a missing variable should say what was expected. `jitless`:
// this schema is parsed once, so compiling a fast parser for it (`new Function`) is pure cold-start
// cost; the interpreted parse is as fast for the one-request-at-a-time schemas of the routes.
z.config({ ...en(), jitless: true });

const rateLimit = () => z.coerce.number().check(z.int(), z.positive());
/** A whole number of hours or days from the environment, with its default. */
const period = (fallback: number, max: number) =>
  z._default(
    z.pipe(
      z.string().check(z.regex(/^\d{1,6}$/, 'must be a whole number')),
      z.pipe(
        z.transform((s: string) => Number(s)),
        z.int().check(z.minimum(1), z.maximum(max)),
      ),
    ),
    fallback,
  );

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
    /**
     * Longest a token may live, in seconds: one whose `exp` − `iat` is longer, that has no `iat`,
     * or that was issued longer ago is refused. Cognito's tokens live at most a day.
     * @default 86400 (24 h)
     */
    JWT_MAX_TOKEN_AGE_SECONDS: z._default(z.coerce.number().check(z.int(), z.positive(), z.lte(7 * 24 * 3600)), 24 * 3600),
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
    /**
     * Which releases need an ASEAN observer's attestation before handover: `joint` (joint tasks
     * and contested land, the default) or `none`.
     */
    REQUIRE_OBSERVER_ATTESTATION: z._default(z.enum(['joint', 'none']), 'joint'),
    /**
     * Ports webhooks may be called on, comma-separated (`443,8443`): subscriptions to others are
     * refused and deliveries to them not attempted. Locally, receivers on this machine may use any.
     * @default 443 on AWS; any port locally
     */
    WEBHOOK_PORTS: z.optional(
      z
        .string()
        .check(
          z.refine(
            (v) => v.split(',').every((p) => /^\s*\d{1,5}\s*$/.test(p) && Number(p) >= 1 && Number(p) <= 65535),
            'a comma-separated list of port numbers (1-65535), such as 443,8443',
          ),
        ),
    ),
    /**
     * Hosts that alone may receive webhooks, comma-separated (`*.example.org` for subdomains);
     * absent or empty, any public host may.
     */
    WEBHOOK_ALLOW_LIST: z.optional(z.string()),
    /** The ministry whose queue a deliverer function drains (`KH` or `TH`); set on the deliverers only, checked at their load. */
    MINISTRY: z.optional(z.enum(['KH', 'TH'])),
    /** The bucket household imports are uploaded to (AWS); absent locally, where uploads go under `DATA_DIR`. */
    IMPORT_BUCKET_NAME: z.optional(z.string().check(z.minLength(1))),
    /** Most webhook subscriptions one organisation may hold (409 beyond). */
    SUBSCRIPTIONS_PER_ORG: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1000)), 10),
    /** Largest household CSV upload, in bytes (the signed `Content-Length` on AWS, the local `PUT`'s limit). 512 MiB: a million people is ≈ 150 MB. */
    IMPORT_MAX_BYTES: z._default(z.coerce.number().check(z.int(), z.minimum(1024), z.maximum(5 * 1024 ** 3)), 512 * 1024 * 1024),
    /** Most rows (people) one import job takes; a longer file fails before anything is written. */
    IMPORT_MAX_ROWS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10_000_000)), 1_000_000),
    /** The web console's origin, allowed by CORS (`-c consoleOrigin` on AWS); no CORS headers when absent. */
    CORS_ALLOWED_ORIGIN: z.optional(z.url()),
    /**
     * Local overrides of the per-user limits (requests per window, `shared/http/user-rate-limits.ts`);
     * absent, the same numbers as the WAF's. Benchmarks raise them; on AWS the WAF rules apply.
     */
    RATE_LIMIT_HOUSEHOLD_LOOKUP: z.optional(rateLimit()),
    RATE_LIMIT_HOUSEHOLD_REGISTRATION: z.optional(rateLimit()),
    RATE_LIMIT_HOUSEHOLD_IMPORT: z.optional(rateLimit()),
    RATE_LIMIT_GEOMETRY: z.optional(rateLimit()),
    RATE_LIMIT_ASSISTANCE_BY_CODE: z.optional(rateLimit()),
    // How long each kind of record is kept (README "Retention"): enforced by the table's TTL
    // attribute, set when the item is written.
    /** Idempotency records (a retry of a create within this window replays it). */
    RETENTION_IDEMPOTENCY_HOURS: period(24, 24 * 30),
    /** Entries of a household's access log (who read or changed its personal data). */
    RETENTION_ACCESS_LOG_DAYS: period(5 * 365, 36_500),
    /** Import jobs, their chunk markers and rejected rows, and the record of an imported file. */
    RETENTION_IMPORT_DAYS: period(90, 36_500),
    /** Dead-letter records of webhook deliveries that failed. */
    RETENTION_DELIVERY_FAILURE_DAYS: period(30, 36_500),
    /** Accident victims' names and contacts, from the accident's date (the accident and its counts stay). */
    RETENTION_VICTIM_DATA_DAYS: period(5 * 365, 36_500),
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

export const config: Config = parseEnv(ConfigSchema);

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Retention of each kind of record, in seconds (from the configuration above). */
export const retention = {
  idempotency: config.RETENTION_IDEMPOTENCY_HOURS * HOUR,
  accessLog: config.RETENTION_ACCESS_LOG_DAYS * DAY,
  imports: config.RETENTION_IMPORT_DAYS * DAY,
  deliveryFailures: config.RETENTION_DELIVERY_FAILURE_DAYS * DAY,
  victimData: config.RETENTION_VICTIM_DATA_DAYS * DAY,
} as const;

/** The TTL attribute's value (epoch seconds) for an item written at `at` and kept `seconds`. */
export const ttlAfter = (at: string | Date, seconds: number): number => Math.floor(new Date(at).getTime() / 1000) + seconds;
