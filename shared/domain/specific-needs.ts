/**
 * UNHCR specific-needs codes (proGres v4 standardized specific needs), grouped by category:
 * `CR` child at risk, `SC` unaccompanied or separated child, `DS` disability, `SM` serious medical
 * condition, `FU` family unity, `LP` specific legal and physical protection needs, `TR` torture,
 * `SV` sexual and gender-based violence, `ER` older person at risk, `WR` woman at risk,
 * `SP` single parent or caregiver. A registration naming a code outside this list is refused.
 */
export const SPECIFIC_NEEDS = {
  'CR-CP': 'Child parent',
  'CR-CS': 'Child spouse',
  'CR-CC': 'Child carer',
  'CR-TP': 'Teenage pregnancy',
  'CR-LW': 'Child labour',
  'CR-NE': 'Child at risk of not attending school',
  'CR-SE': 'Child with special education needs',
  'CR-AF': 'Child associated with armed forces or groups',
  'CR-CL': 'Child in conflict with the law',
  'SC-SC': 'Separated child',
  'SC-UC': 'Unaccompanied child',
  'SC-CH': 'Child-headed household',
  'SC-IC': 'Child in institutional care',
  'SC-FC': 'Child in foster care',
  'DS-BD': 'Visual impairment',
  'DS-DF': 'Hearing impairment',
  'DS-PM': 'Physical disability, moderate',
  'DS-PS': 'Physical disability, severe',
  'DS-MM': 'Mental disability, moderate',
  'DS-MS': 'Mental disability, severe',
  'DS-SD': 'Speech impairment',
  'SM-MI': 'Mental illness',
  'SM-MN': 'Malnutrition',
  'SM-CI': 'Chronic illness',
  'SM-CC': 'Critical medical condition',
  'SM-AD': 'Addiction',
  'SM-DP': 'Difficult pregnancy',
  'SM-OT': 'Other medical condition',
  'FU-TR': 'Tracing required',
  'FU-FR': 'Family reunification required',
  'LP-ND': 'No legal documentation',
  'LP-BN': 'Unmet basic needs',
  'LP-AN': 'Violence, abuse or neglect',
  'LP-MS': 'Marginalised from society or community',
  'LP-RR': 'At risk of refoulement',
  'LP-AF': 'Formerly associated with armed forces or groups',
  'LP-IH': 'In hiding',
  'LP-NA': 'No access to services',
  'TR-PI': 'Psychological or physical impairment due to torture',
  'TR-HO': 'Forced to egregious acts',
  'TR-WV': 'Witness of violence to others',
  'SV-VA': 'Exposure to SGBV',
  'SV-GM': 'Female genital mutilation',
  'SV-HP': 'Harmful traditional practices',
  'SV-FM': 'Forced marriage',
  'SV-SS': 'Survival sex',
  'ER-NF': 'Older person unable to care for self',
  'ER-MC': 'Older person with children',
  'ER-UR': 'Unaccompanied older person',
  'WR-WR': 'Woman at risk',
  'WR-SF': 'Single woman at risk',
  'WR-LC': 'Lactating woman at risk',
  'WR-PY': 'Woman in polygamous marriage',
  'SP-PT': 'Single parent',
  'SP-GP': 'Single grandparent',
  'SP-CG': 'Single caregiver',
} as const satisfies Record<string, string>;

export type SpecificNeed = keyof typeof SPECIFIC_NEEDS;
export const SPECIFIC_NEED_CODES = Object.keys(SPECIFIC_NEEDS) as [SpecificNeed, ...SpecificNeed[]];

/** The category of a code (`SP-PT` → `SP`), the level statistics count at. */
export const needCategory = (code: SpecificNeed): string => code.slice(0, 2);
export const NEED_CATEGORIES = [...new Set(SPECIFIC_NEED_CODES.map(needCategory))];
