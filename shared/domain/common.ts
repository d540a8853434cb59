import * as z from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini ships without messages; English ones make 400 responses readable. `jitless`: zod
// otherwise compiles a parser (`new Function`) for each object schema on its first parse, which a
// Lambda pays at cold start for a schema it then uses a handful of times (see shared/config.ts).
z.config({ ...en(), jitless: true });

export const COUNTRIES = ['KH', 'TH'] as const;
export const Country = z.enum(COUNTRIES);
export type Country = z.infer<typeof Country>;

/** ULID: 26 Crockford base32 characters. */
export const Id = z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID'));

/** Fields every stored resource carries (DESIGN section 4). */
export const StoredFields = {
  id: Id,
  version: z.int().check(z.positive()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string(),
};

/** Identifier path parameter. */
export const IdParams = z.object({ id: Id });

/** `?limit=1..100` (default 25) and `?cursor=` of every list. */
export const PageQuery = {
  limit: z._default(
    z.pipe(
      z.string().check(z.regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')),
      z.pipe(
        z.transform((s: string) => Number(s)),
        z.int().check(z.minimum(1, 'must be at least 1'), z.maximum(100, 'must be at most 100')),
      ),
    ),
    25,
  ),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
};

/**
 * A schema built on first use. Response schemas serve only the OpenAPI document and types:
 * building them lazily keeps them out of every function's cold start.
 */
export const lazy = <T>(build: () => T): (() => T) => {
  let built: T | undefined;
  return () => (built ??= build());
};

/**
 * A schema built on first use and named `id` in the OpenAPI document (`components.schemas`), where
 * every answer that holds it refers to it.
 */
export const named = <T extends z.ZodMiniType>(id: string, build: () => T): (() => T) =>
  lazy(() => {
    const schema = build();
    z.globalRegistry.add(schema, { id });
    return schema;
  });

/** A page of a list, `{ items, next }`, built on first use. */
export const Page = <T extends z.ZodMiniType>(item: () => T) => lazy(() => z.object({ items: z.array(item()), next: z.nullable(z.string()) }));
