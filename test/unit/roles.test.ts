import { describe, expect, it } from 'vitest';
import { claimsToPrincipalInput, Principal } from '../../shared/domain/roles.ts';

describe('principal from token claims', () => {
  it('accepts the local claim names', () => {
    const p = Principal.parse(claimsToPrincipalInput({ sub: 'u1', role: 'deminer', country: 'KH', org: 'CMAC', team: 'T1' }));
    expect(p).toEqual({ sub: 'u1', role: 'deminer', country: 'KH', org: 'CMAC', team: 'T1' });
  });
  it('maps Cognito groups and custom attributes', () => {
    const p = Principal.parse(claimsToPrincipalInput({ sub: 'u2', 'cognito:groups': ['qa'], 'custom:country': 'TH', 'custom:org': 'TMAC' }));
    expect(p).toMatchObject({ role: 'qa', country: 'TH', org: 'TMAC' });
  });
  it('requires a country for national roles and none for observers', () => {
    expect(Principal.safeParse({ sub: 'u', role: 'relief', org: 'X' }).success).toBe(false);
    expect(Principal.safeParse({ sub: 'u', role: 'observer', org: 'AOT', country: 'KH' }).success).toBe(false);
    expect(Principal.safeParse({ sub: 'u', role: 'observer', org: 'AOT' }).success).toBe(true);
  });
  it('requires a team for deminers and refuses unknown roles', () => {
    expect(Principal.safeParse({ sub: 'u', role: 'deminer', country: 'KH', org: 'CMAC' }).success).toBe(false);
    expect(Principal.safeParse({ sub: 'u', role: 'superuser', org: 'X' }).success).toBe(false);
  });
});
