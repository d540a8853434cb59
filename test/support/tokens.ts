import { inject } from 'vitest';
import { ensureLocalSecrets, signLocalToken, type TokenClaims } from '../../infra/local/keys.ts';

const DEFAULTS: Record<string, Omit<TokenClaims, 'role'>> = {
  KH: { sub: 'user-kh', country: 'KH', org: 'CMAC' },
  TH: { sub: 'user-th', country: 'TH', org: 'TMAC' },
  none: { sub: 'user-intl', org: 'AOT' },
};

/** A token signed with the run's key, as `npm run token` would print. */
export async function tokenFor(claims: Partial<TokenClaims> & { role: string }, ttl = '1h'): Promise<string> {
  const base = DEFAULTS[claims.country ?? 'none'] ?? DEFAULTS.none!;
  const secrets = await ensureLocalSecrets(inject('keysDir'));
  return signLocalToken(secrets.privateKeyFile, { ...base, sub: `${base.sub}-${claims.role}`, ...claims }, ttl);
}

export const bearer = async (claims: Partial<TokenClaims> & { role: string }) => ({ authorization: `Bearer ${await tokenFor(claims)}` });
