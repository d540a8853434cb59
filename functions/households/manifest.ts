/**
 * What the `households` function serves (returnee households, their bulk imports and the
 * displacement statistics). Read by the CDK stack to build API Gateway resources and by the
 * local server to route, so both expose the same paths. Importing it loads no runtime configuration.
 */
export const householdsFunction = {
  name: 'households',
  basePaths: ['/v1/households', '/v1/household-imports'],
} as const;
