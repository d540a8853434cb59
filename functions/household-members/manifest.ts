/**
 * What the `household-members` function serves: households over time — members added, corrected
 * and departed, the head, splits, verification. All its paths lie below the households' base path
 * (`subPaths`: the CDK stack and the local server route them here). Importing it loads no runtime configuration.
 */
export const householdMembersFunction = {
  name: 'household-members',
  basePaths: [],
  subPaths: ['/v1/households/{id}/members', '/v1/households/{id}/head', '/v1/households/{id}/split', '/v1/households/{id}/verification'],
} as const;
