/** What the `cleared-areas` function serves: completion reports, QA, handover, land-release statistics. */
export const clearedAreasFunction = {
  name: 'cleared-areas',
  basePaths: ['/v1/cleared-areas', '/v1/stats/land-release'],
} as const;
