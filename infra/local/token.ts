/**
 * `npm run token -- --role <role> [--country KH|TH] [--org <org>] [--team <id>] [--sub <id>] [--ttl 12h]`
 * Prints a signed JWT and nothing else, valid for the local server that uses the same DATA_DIR.
 */
import { parseArgs } from 'node:util';
import { COUNTRIES } from '../../shared/domain/common.ts';
import { ROLES } from '../../shared/domain/roles.ts';
import { dataDirFromEnv } from './env.ts';
import { ensureLocalSecrets, signLocalToken } from './keys.ts';

const DEFAULT_ORG: Record<string, string> = { KH: 'CMAC', TH: 'TMAC' };
const NATIONAL = ['operations', 'deminer', 'qa', 'relief', 'ministry'];

function fail(message: string): never {
  process.stderr.write(`${message}\nusage: npm run token -- --role <${ROLES.join('|')}> [--country KH|TH] [--org <org>] [--team <id>] [--sub <id>] [--ttl 12h]\n`);
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
if (!/^\d+[smhd]$/.test(values.ttl)) fail('--ttl takes a duration such as 30m, 12h or 7d');

const org = values.org ?? (country ? DEFAULT_ORG[country] : role === 'observer' ? 'AOT' : 'Clearway');
const sub = values.sub ?? `local-${role}${country ? `-${country.toLowerCase()}` : ''}`;
const secrets = await ensureLocalSecrets(dataDirFromEnv());
process.stdout.write(`${await signLocalToken(secrets.privateKeyFile, { sub, role, country, org: org ?? 'Clearway', team }, values.ttl)}\n`);
