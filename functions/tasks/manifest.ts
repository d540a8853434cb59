/**
 * What the `tasks` function serves (mine action operations: teams, hazard areas, tasks).
 * Read by the CDK stack to build API Gateway resources and by the local server to route,
 * so both expose the same paths. Importing it loads no runtime configuration.
 */
export const tasksFunction = {
  name: 'tasks',
  basePaths: ['/v1/teams', '/v1/hazard-areas', '/v1/tasks'],
} as const;
