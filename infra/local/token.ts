/**
 * `npm run token -- --role <role> [--country KH|TH] [--org <org>] [--team <id>] [--sub <id>] [--ttl 12h]`
 * Prints a signed JWT and nothing else, valid for the local server that uses the same DATA_DIR
 * (`--ttl` at most 24h).
 */
import { parseArgs } from 'node:util';
import { COUNTRIES } from '../../shared/domain/common.ts';
import { ROLES } from '../../shared/domain/roles.ts';
import { dataDirFromEnv } from './env.ts';
import { ensureLocalSecrets, MAX_TOKEN_TTL_SECONDS, signLocalToken } from './keys.ts';

const DEFAULT_ORG: Record<string, string> = { KH: 'CMAC', TH: 'TMAC' };
const NATIONAL = ['operations', 'deminer', 'qa', 'relief', 'ministry'];

function fail(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run token -- --role <${ROLES.join('|')}> [--country KH|TH] [--org <org>] [--team <id>] [--sub <id>] [--ttl 12h, at most 24h]\n`,
  );
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      role: { type: 'string' },
      country: { type: 'string' },
      org: { type: 'string' },
      team: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '12h' },
    },
    strict: true,
  }));
} catch (e: unknown) {
  fail((e as Error).message);
}
const { role, country, team } = values;
if (!role || !(ROLES as readonly string[]).includes(role)) fail(`--role must be one of ${ROLES.join(', ')}`);
if (country !== undefined && !(COUNTRIES as readonly string[]).includes(country)) fail('--country must be KH or TH');
if (NATIONAL.includes(role) && !country) fail(`--country is required for the ${role} role`);
if (!NATIONAL.includes(role) && country) fail(`the ${role} role acts for no single country: leave out --country`);
if (role === 'deminer' && !team) fail('--team <team id> is required for the deminer role');
const ttl = /^(\d+)([smhd])$/.exec(values.ttl);
if (!ttl) fail('--ttl takes a duration such as 30m, 12h or 1d');
const ttlSeconds = Number(ttl[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[ttl[2] as 's' | 'm' | 'h' | 'd'];
// The API refuses tokens that live longer (JWT_MAX_TOKEN_AGE_SECONDS, 24 h by default).
if (ttlSeconds > MAX_TOKEN_TTL_SECONDS) fail(`--ttl is at most 24h: a token lives at most a day (asked for ${values.ttl})`);
if (ttlSeconds === 0) fail('--ttl must be longer than 0');

const org = values.org ?? (country ? DEFAULT_ORG[country] : role === 'observer' ? 'AOT' : 'Clearway');
const sub = values.sub ?? `local-${role}${country ? `-${country.toLowerCase()}` : ''}`;
const secrets = await ensureLocalSecrets(dataDirFromEnv());
process.stdout.write(`${await signLocalToken(secrets.privateKeyFile, { sub, role, country, org: org ?? 'Clearway', team }, values.ttl)}\n`);
