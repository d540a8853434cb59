import { CONSENT_PURPOSE_LABELS, DOCUMENT_TYPE_LABELS, RELATIONSHIP_LABELS, SEX_LABELS, SPECIFIC_NEED_LABELS } from '../../shared/domain/choice-labels.ts';

/** The registration form's choice labels by import column: each must translate to its code. */
export const CHOICE_LABELS_FOR_TEST = {
  sex: SEX_LABELS,
  relationship: RELATIONSHIP_LABELS,
  consent_purposes: CONSENT_PURPOSE_LABELS,
  specific_needs: SPECIFIC_NEED_LABELS,
  document_type: DOCUMENT_TYPE_LABELS,
};
