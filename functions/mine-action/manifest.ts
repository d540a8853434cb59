/**
 * What the `mine-action` function serves: accidents and their victims, explosive ordnance risk
 * education sessions, and their statistics. Read by the CDK stack and the local server, so both
 * expose the same paths. Importing it loads no runtime configuration.
 */
export const mineActionFunction = {
  name: 'mine-action',
  basePaths: ['/v1/accidents', '/v1/risk-education-sessions', '/v1/stats/casualties', '/v1/stats/risk-education'],
} as const;
