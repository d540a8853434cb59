/**
 * What the `import-setup` function serves: what an agency prepares before importing households —
 * the registration form as an XLSForm (generated from the import's columns, so its exports import
 * with no mapping) and the organisation's saved column mappings. A function of its own: the form's
 * XLSX writer, choice labels and mapping routes would push `households` past its bundle budget.
 * Its form path sits under `/v1/household-imports`, whose other paths are the households function's
 * (API Gateway and the local server both take the more specific path first).
 */
export const importSetupFunction = {
  name: 'import-setup',
  basePaths: ['/v1/import-mappings', '/v1/household-imports/form.xlsx'],
} as const;
