/**
 * Per-user limits on the expensive or probing operations: one definition for both enforcers.
 * On AWS each becomes a WAF rate-based rule keyed on the `Authorization` header and scoped down
 * to its operations (`infra/aws/constructs/firewall.ts`); locally the Api layer counts requests
 * per verified `sub` with the same numbers (`shared/http/rate-limiter.ts`). Either answers 429
 * problem+json with `Retry-After`. Pure data: no configuration is read here, so the CDK app and
 * the browser-free tools can import it.
 */

/** Evaluation windows a WAF rate-based rule accepts. */
export type RateWindowSeconds = 60 | 120 | 300 | 600;

export interface RateLimitedOperation {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** OpenAPI-style path, exactly as the route declares it (`/v1/hazard-areas/{id}`). */
  path: string;
}

export interface UserRateLimit {
  /** Names the rule: the WAF rule and metric (`UserLimit-<name>`), the problem detail, the local override. */
  name: string;
  /** Environment variable that overrides {@link limit} in the local server (`shared/config.ts`). */
  env:
    | 'RATE_LIMIT_HOUSEHOLD_LOOKUP'
    | 'RATE_LIMIT_HOUSEHOLD_REGISTRATION'
    | 'RATE_LIMIT_HOUSEHOLD_IMPORT'
    | 'RATE_LIMIT_GEOMETRY'
    | 'RATE_LIMIT_ASSISTANCE_BY_CODE';
  /** Requests one user may send to these operations together in one window (WAF's minimum is 10). */
  limit: number;
  windowSeconds: RateWindowSeconds;
  operations: readonly RateLimitedOperation[];
}

/**
 * The limits. Sized for people working fast by hand, with headroom for the console's offline
 * queue sending a day's registrations at once (it waits out a 429 and retries), and far below
 * what a script probing documents or looping expensive geometry checks would send.
 */
export const USER_RATE_LIMITS: readonly UserRateLimit[] = [
  {
    // Answers whether a document number is registered: an oracle if unbounded.
    name: 'household-lookup',
    env: 'RATE_LIMIT_HOUSEHOLD_LOOKUP',
    limit: 120,
    windowSeconds: 300,
    operations: [{ method: 'POST', path: '/v1/households/lookup' }],
  },
  {
    // Hashes documents, checks duplicates and return safety in one transaction per household.
    name: 'household-registration',
    env: 'RATE_LIMIT_HOUSEHOLD_REGISTRATION',
    limit: 200,
    windowSeconds: 300,
    operations: [{ method: 'POST', path: '/v1/households' }],
  },
  {
    // Each job parses and writes up to thousands of rows.
    name: 'household-import',
    env: 'RATE_LIMIT_HOUSEHOLD_IMPORT',
    limit: 20,
    windowSeconds: 300,
    operations: [{ method: 'POST', path: '/v1/household-imports' }],
  },
  {
    // Names a household by the code on its card: a script guessing codes would find households (and could block their round).
    name: 'assistance-by-code',
    env: 'RATE_LIMIT_ASSISTANCE_BY_CODE',
    limit: 300,
    windowSeconds: 300,
    operations: [{ method: 'POST', path: '/v1/assistance' }],
  },
  {
    // Polygon validation, areas and return-safety cells of up to 5,000 vertices per request.
    name: 'geometry',
    env: 'RATE_LIMIT_GEOMETRY',
    limit: 120,
    windowSeconds: 300,
    operations: [
      { method: 'POST', path: '/v1/hazard-areas' },
      { method: 'PATCH', path: '/v1/hazard-areas/{id}' },
      { method: 'POST', path: '/v1/cleared-areas' },
    ],
  },
];

/** The limit that covers an operation, as its route declares it (`post`, `/v1/households`); none for most. */
export function userRateLimitOf(method: string, path: string): UserRateLimit | undefined {
  const m = method.toUpperCase();
  return USER_RATE_LIMITS.find((rule) => rule.operations.some((o) => o.method === m && o.path === path));
}
