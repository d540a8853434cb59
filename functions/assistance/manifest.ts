/**
 * What the `assistance` function serves: assistance given to households (recording, by household
 * or by the code on its card, and reading), the statistics per round, distribution lists and
 * their uploads. `subPaths` lie under another function's base path and win over it (the CDK
 * stack and the local server route the more specific path here). Importing it loads no runtime
 * configuration.
 */
export const assistanceFunction = {
  name: 'assistance',
  basePaths: ['/v1/assistance', '/v1/assistance-rounds', '/v1/assistance-imports', '/v1/stats/assistance'],
  subPaths: ['/v1/households/{id}/assistance'],
} as const;
