/**
 * What the `sites` function serves (displacement sites and their figures: present households and
 * monthly flows). Read by the CDK stack to build API Gateway resources and by the local server to
 * route, so both expose the same paths. Importing it loads no runtime configuration.
 */
export const sitesFunction = {
  name: 'sites',
  basePaths: ['/v1/sites', '/v1/stats/sites'],
} as const;
