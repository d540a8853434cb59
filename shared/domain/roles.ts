import * as z from 'zod/mini';
import { Country } from './common.ts';

export const ROLES = ['operations', 'deminer', 'qa', 'relief', 'ministry', 'observer', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** Roles that read de-mining data of both countries (DESIGN section 3). */
export const DEMINING_READERS = ['operations', 'qa', 'ministry', 'observer', 'admin'] as const satisfies readonly Role[];

/** Roles that act for one country and therefore carry a `country` claim. */
const NATIONAL_ROLES: readonly Role[] = ['operations', 'deminer', 'qa', 'relief', 'ministry'];

/**
 * The caller, as proven by a verified JWT (DESIGN section 3). `country` is required for
 * national roles and absent for observers and admins; deminers also carry their `team`.
 */
export const Principal = z
  .object({
    sub: z.string().check(z.minLength(1)),
    role: Role,
    country: z.optional(Country),
    org: z.string().check(z.minLength(1)),
    team: z.optional(z.string().check(z.minLength(1))),
  })
  .check(
    z.refine((p) => !NATIONAL_ROLES.includes(p.role) || p.country !== undefined, {
      message: 'a national role needs a country claim',
      path: ['country'],
    }),
    z.refine((p) => NATIONAL_ROLES.includes(p.role) || p.country === undefined, {
      message: 'observers and admins act for no single country',
      path: ['country'],
    }),
    z.refine((p) => p.role !== 'deminer' || p.team !== undefined, {
      message: 'a deminer needs a team claim',
      path: ['team'],
    }),
  );
export type Principal = z.infer<typeof Principal>;

/**
 * Maps raw token claims to the claim names of DESIGN section 3. Local tokens carry them as
 * is; Cognito ID tokens carry the role as a group and the rest as custom attributes.
 */
export function claimsToPrincipalInput(claims: Record<string, unknown>): Record<string, unknown> {
  const groups = claims['cognito:groups'];
  const firstGroup = Array.isArray(groups) ? groups.find((g) => typeof g === 'string' && (ROLES as readonly string[]).includes(g)) : undefined;
  return {
    sub: claims.sub,
    role: claims.role ?? firstGroup,
    country: claims.country ?? claims['custom:country'],
    org: claims.org ?? claims['custom:org'],
    team: claims.team ?? claims['custom:team'],
  };
}
