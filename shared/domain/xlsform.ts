import { CONSENT_PURPOSE_LABELS, DOCUMENT_TYPE_LABELS, RELATIONSHIP_LABELS, SEX_LABELS, SPECIFIC_NEED_LABELS, type Labels } from './choice-labels.ts';
import type { Country } from './common.ts';
import { HOUSEHOLD_COLUMNS, MEMBER_COLUMNS } from './household-import.ts';
import { CONSENT_PURPOSES, DOCUMENT_TYPES, MAX_AGE_YEARS, RELATIONSHIPS, SEXES } from './household.ts';
import { GEOPOINT_FIELD } from './import-mapping.ts';
import { PROVINCES } from './provinces.ts';
import { SPECIFIC_NEED_CODES } from './specific-needs.ts';

/**
 * The registration form as an XLSForm (the `survey`, `choices` and `settings` sheets KoBoToolbox
 * and ODK Central accept), generated from the import's columns and the registration's enums, so
 * that what the form collects is exactly what the importer reads with no mapping: the household
 * questions in a group `household`, consent in a group `consent`, people in a repeat `members`
 * (KoBoToolbox exports it as a sheet joined by `_parent_index`, ODK Central as a CSV joined by
 * `PARENT_KEY`). Choice names are Clearway's codes; labels are in English, Khmer and Thai. A column
 * added to the import and not described below still gets a text question of its own name.
 */

/** The form's calculated fields: in the export, and known to the importer as not Clearway's. */
export const FORM_CALCULATIONS = ['head_count'] as const;

type Lang3 = Labels;
interface Question {
  type: string;
  name: string;
  label: Lang3;
  required?: boolean;
  constraint?: string;
  constraintMessage?: Lang3;
  relevant?: string;
  appearance?: string;
}

const same = (s: string): Lang3 => [s, s, s];
/** An XLSForm reference to another question, `${name}`. */
const ref = (name: string) => `\${${name}}`;

/** Questions of the import's columns that are more than a text field, by column. */
const QUESTIONS: Record<string, Omit<Question, 'name'>> = {
  origin_province: { type: 'select_one province', label: ['Province of origin', 'ខេត្តដើមកំណើត', 'จังหวัดต้นทาง'], required: true },
  origin_district: { type: 'text', label: ['District of origin', 'ស្រុកដើមកំណើត', 'อำเภอต้นทาง'] },
  origin_village: { type: 'text', label: ['Village of origin', 'ភូមិដើមកំណើត', 'หมู่บ้านต้นทาง'] },
  current_province: { type: 'select_one province', label: ['Province now', 'ខេត្តបច្ចុប្បន្ន', 'จังหวัดปัจจุบัน'], required: true },
  current_district: { type: 'text', label: ['District now', 'ស្រុកបច្ចុប្បន្ន', 'อำเภอปัจจุบัน'] },
  current_village: { type: 'text', label: ['Village now', 'ភូមិបច្ចុប្បន្ន', 'หมู่บ้านปัจจุบัน'] },
  current_site: { type: 'text', label: ['Displacement site (camp, pagoda, school)', 'ទីតាំងជម្លៀស (ជំរុំ វត្ត សាលា)', 'ศูนย์พักพิง (ค่าย วัด โรงเรียน)'] },
  current_host_community: {
    type: 'text',
    label: ['Host community', 'សហគមន៍ទទួល', 'ชุมชนที่รองรับ'],
    constraint: `. != '' or ${ref('current_site')} != ''`,
    constraintMessage: ['Name the site or the host community.', 'សូមដាក់ឈ្មោះទីតាំង ឬសហគមន៍ទទួល។', 'โปรดระบุศูนย์พักพิงหรือชุมชนที่รองรับ'],
  },
  destination_province: { type: 'select_one province', label: ['Province of return', 'ខេត្តវិលត្រឡប់', 'จังหวัดที่จะกลับ'] },
  destination_district: { type: 'text', label: ['District of return', 'ស្រុកវិលត្រឡប់', 'อำเภอที่จะกลับ'] },
  destination_village: { type: 'text', label: ['Village of return', 'ភូមិវិលត្រឡប់', 'หมู่บ้านที่จะกลับ'] },
  [GEOPOINT_FIELD]: { type: 'geopoint', label: ['Place of return (GPS)', 'ទីតាំងវិលត្រឡប់ (GPS)', 'ตำแหน่งที่จะกลับ (GPS)'] },
  contact_phone: {
    type: 'text',
    label: ['Contact phone', 'លេខទូរស័ព្ទ', 'หมายเลขโทรศัพท์'],
    constraint: "regex(., '^\\+?[0-9 ()-]{6,20}$')",
    constraintMessage: ['Must be a phone number.', 'ត្រូវតែជាលេខទូរស័ព្ទ។', 'ต้องเป็นหมายเลขโทรศัพท์'],
  },
  consent_given: {
    type: 'select_one yes_no',
    label: ['Consent given', 'បានផ្ដល់ការយល់ព្រម', 'ให้ความยินยอมแล้ว'],
    required: true,
    constraint: ". = 'yes'",
    constraintMessage: ['Consent must be given to register a household.', 'ត្រូវមានការយល់ព្រម ដើម្បីចុះឈ្មោះគ្រួសារ។', 'ต้องได้รับความยินยอมจึงจะลงทะเบียนครัวเรือนได้'],
  },
  consent_date: {
    type: 'date',
    label: ['Date of consent', 'កាលបរិច្ឆេទយល់ព្រម', 'วันที่ให้ความยินยอม'],
    required: true,
    constraint: '. <= today()',
    constraintMessage: same('≤ today'),
  },
  consent_purposes: { type: 'select_multiple consent_purpose', label: ['Purposes consented to', 'គោលបំណងដែលបានយល់ព្រម', 'วัตถุประสงค์ที่ยินยอม'], required: true },
  given_name: { type: 'text', label: ['Given name', 'នាមខ្លួន', 'ชื่อ'], required: true },
  family_name: { type: 'text', label: ['Family name', 'នាមត្រកូល', 'นามสกุล'], required: true },
  sex: { type: 'select_one sex', label: ['Sex', 'ភេទ', 'เพศ'], required: true },
  birth_date: { type: 'date', label: ['Date of birth (if known)', 'ថ្ងៃខែឆ្នាំកំណើត (បើដឹង)', 'วันเกิด (ถ้าทราบ)'], constraint: '. <= today()' },
  birth_year: {
    type: 'integer',
    label: ['Year of birth', 'ឆ្នាំកំណើត', 'ปีเกิด'],
    required: true,
    constraint: `. <= int(format-date(today(), '%Y')) and . >= int(format-date(today(), '%Y')) - ${MAX_AGE_YEARS}`,
    constraintMessage: [`From ${MAX_AGE_YEARS} years ago to this year.`, `ពី ${MAX_AGE_YEARS} ឆ្នាំមុន ដល់ឆ្នាំនេះ។`, `ตั้งแต่ ${MAX_AGE_YEARS} ปีก่อนถึงปีนี้`],
  },
  relationship: {
    type: 'select_one relationship',
    label: ['Relationship to the head', 'ទំនាក់ទំនងជាមួយមេគ្រួសារ', 'ความสัมพันธ์กับหัวหน้าครัวเรือน'],
    required: true,
    constraint: `. != 'HEAD' or ${ref('head_count')} <= 1`,
    constraintMessage: ['A household has exactly one head.', 'គ្រួសារមួយមានមេគ្រួសារតែម្នាក់គត់។', 'ครัวเรือนหนึ่งมีหัวหน้าครัวเรือนได้เพียงคนเดียว'],
  },
  specific_needs: { type: 'select_multiple specific_need', label: ['Specific needs', 'តម្រូវការជាក់លាក់', 'ความต้องการเฉพาะ'] },
  document_type: { type: 'select_one document_type', label: ['Identity document', 'ឯកសារអត្តសញ្ញាណ', 'เอกสารประจำตัว'] },
  document_number: { type: 'text', label: ['Document number', 'លេខឯកសារ', 'หมายเลขเอกสาร'], relevant: `${ref('document_type')} != ''`, required: true },
};

const CONSENT = new Set(['consent_given', 'consent_date', 'consent_purposes']);
/** Household columns the form does not ask: the key is the submission itself; the point is one geopoint. */
const NOT_ASKED = new Set(['household_key', 'destination_lon', 'destination_lat']);

function question(name: string): Question {
  return { name, ...(QUESTIONS[name] ?? { type: 'text', label: same(name) }) };
}

const LABEL_COLUMNS = ['label::English (en)', 'label::Khmer (km)', 'label::Thai (th)'];
const SURVEY_HEADER = [
  'type',
  'name',
  ...LABEL_COLUMNS,
  'required',
  'relevant',
  'constraint',
  'constraint_message::English (en)',
  'constraint_message::Khmer (km)',
  'constraint_message::Thai (th)',
  'calculation',
  'appearance',
];

function surveyRow(q: Question): string[] {
  return [
    q.type,
    q.name,
    ...q.label,
    q.required ? 'yes' : '',
    q.relevant ?? '',
    q.constraint ?? '',
    ...(q.constraintMessage ?? ['', '', '']),
    '',
    q.appearance ?? '',
  ];
}
const groupRow = (type: string, name: string, label: Lang3, appearance = ''): string[] => [type, name, ...label, '', '', '', '', '', '', '', appearance];
const endRow = (type: string): string[] => [type, '', '', '', '', '', '', '', '', '', '', '', ''];

/** The three sheets of the form for a country, as rows of text cells (header first). */
export function registrationXlsForm(country: Country, version: string): { survey: string[][]; choices: string[][]; settings: string[][] } {
  const householdColumns = [...HOUSEHOLD_COLUMNS.filter((c) => !NOT_ASKED.has(c) && !CONSENT.has(c))];
  // The point goes right after the destination's village.
  const at = householdColumns.indexOf('destination_village') + 1;
  const household = [...householdColumns.slice(0, at), GEOPOINT_FIELD, ...householdColumns.slice(at)];
  const survey = [
    SURVEY_HEADER,
    groupRow('begin_group', 'household', ['Household', 'គ្រួសារ', 'ครัวเรือน']),
    ...household.map((c) => surveyRow(question(c))),
    endRow('end_group'),
    groupRow('begin_group', 'consent', ['Consent', 'ការយល់ព្រម', 'ความยินยอม']),
    ...[...CONSENT].map((c) => surveyRow(question(c))),
    endRow('end_group'),
    groupRow('begin_repeat', 'members', ['Members of the household', 'សមាជិកគ្រួសារ', 'สมาชิกครัวเรือน']),
    ...MEMBER_COLUMNS.map((c) => surveyRow(question(c))),
    endRow('end_repeat'),
    ['calculate', 'head_count', '', '', '', '', '', '', '', '', '', `count(${ref('relationship')}[. = 'HEAD'])`, ''],
  ];
  const choice = (list: string, codes: readonly string[], labels: Readonly<Record<string, Labels>>) => codes.map((c) => [list, c, ...(labels[c] ?? same(c))]);
  const choices = [
    ['list_name', 'name', ...LABEL_COLUMNS],
    ...PROVINCES.filter((p) => p.country === country).map((p) => ['province', p.pcode, ...same(`${p.name} (${p.pcode})`)]),
    ['yes_no', 'yes', 'Yes', 'បាទ/ចាស', 'ใช่'],
    ['yes_no', 'no', 'No', 'ទេ', 'ไม่'],
    ...choice('sex', SEXES, SEX_LABELS),
    ...choice('relationship', RELATIONSHIPS, RELATIONSHIP_LABELS),
    ...choice('consent_purpose', CONSENT_PURPOSES, CONSENT_PURPOSE_LABELS),
    ...choice('specific_need', SPECIFIC_NEED_CODES, SPECIFIC_NEED_LABELS),
    ...choice('document_type', DOCUMENT_TYPES, DOCUMENT_TYPE_LABELS),
  ];
  const settings = [
    ['form_title', 'form_id', 'version', 'default_language'],
    [`Clearway household registration (${country})`, `clearway_household_${country.toLowerCase()}`, version, 'English (en)'],
  ];
  return { survey, choices, settings };
}
