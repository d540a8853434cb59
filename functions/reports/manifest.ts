/** What the `reports` function serves: the monthly report (land released, ordnance destroyed, accidents, risk education, household movements by month). */
export const reportsFunction = {
  name: 'reports',
  basePaths: ['/v1/stats/monthly'],
} as const;
