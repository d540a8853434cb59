import * as z from 'zod/mini';
import { Country, StoredFields, named } from './common.ts';

export const CAPABILITIES = ['MANUAL', 'MECHANICAL', 'MDD', 'EOD', 'NTS', 'TS'] as const;
export const Capability = z.enum(CAPABILITIES);

const name = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));
const capabilities = z.array(Capability).check(
  z.minLength(1),
  z.maxLength(CAPABILITIES.length),
  z.refine((c) => new Set(c).size === c.length, 'must not repeat a capability'),
);

/** Body of `POST /v1/teams`. */
export const TeamCreate = z.strictObject({
  name,
  organisation: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  country: Country,
  capabilities,
});
export type TeamCreate = z.infer<typeof TeamCreate>;

/** Body of `PATCH /v1/teams/{id}`: what may change after creation. */
export const TeamPatch = z
  .strictObject({
    name: z.optional(name),
    capabilities: z.optional(capabilities),
    active: z.optional(z.boolean()),
  })
  .check(z.refine((p) => Object.keys(p).length > 0, 'name at least one field to change'));
export type TeamPatch = z.infer<typeof TeamPatch>;

export const Team = named('Team', () =>
  z.object({
    ...StoredFields,
    name: z.string(),
    organisation: z.string(),
    country: Country,
    capabilities: z.array(Capability),
    active: z.boolean(),
  }),
);
export type Team = z.infer<ReturnType<typeof Team>>;
