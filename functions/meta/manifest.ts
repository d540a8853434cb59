/** Public, unauthenticated paths served by the `meta` function. */
export const metaFunction = {
  name: 'meta',
  basePaths: ['/health', '/openapi.json', '/asyncapi.json', '/docs'],
} as const;
