import * as z from 'zod/mini';

/**
 * Parses environment variables with a schema, once, at module load: a missing or malformed
 * variable fails the cold start (or `npm start`) with every problem listed, not the first request.
 * `shared/config.ts` is the API's and the data functions' configuration; a function that needs
 * none of it (the publisher) parses its own small section here.
 */
export function parseEnv<S extends z.ZodMiniType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** The publisher's configuration (stream → EventBridge). */
export const PublisherEnv = z.object({
  /** The EventBridge bus to publish to. */
  EVENT_BUS_NAME: z.string().check(z.minLength(1, 'expected the name of the EventBridge bus to publish to')),
});
