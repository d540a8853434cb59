/**
 * The data map: each kind of personal data a household gives, where it is stored, who may read
 * it, how long it is kept and how an erasure removes it. The README's "Data map" section is
 * this table rendered ({@link dataMapMarkdown}, `npm run data-map`); `test/unit/data-map.test.ts`
 * checks it against the zod schemas of a household (every field classified, none stale) and
 * against the README, so neither can drift. Pure data.
 */

export interface DataMapEntry {
  /** The personal data, as a person would name it. */
  data: string;
  /** The record it belongs to: a household (the default) or an accident's victims. */
  record?: 'household' | 'accident';
  /** Its fields in the record as the API answers it (`HouseholdSchema`, or `AccidentSchema` for accidents). */
  fields: readonly string[];
  /** Its fields in a registration (`HouseholdCreate`) that never come back as such. */
  requestOnly?: readonly string[];
  /** Items (entity and key) and files that hold it. */
  storedIn: string;
  /** Who may read it through the API. */
  readers: string;
  /** How long it is kept (the settings are in `shared/config.ts`, README "Retention"). */
  kept: string;
  /** What an erasure does to it. */
  erasure: string;
}

const RECORD = '`Household` item (`HH#<id>`/`HH`)';
const RECORD_READERS = 'the registering organisation (relief), the ministry of its country, admins; the family’s copy (export)';
const UNTIL_ERASED = 'until the household is erased';
const TOMBSTONE = 'the item is replaced by its tombstone (id, country, organisation, `ERASED`, when, by whom)';

export const DATA_MAP: readonly DataMapEntry[] = [
  {
    data: 'Names',
    fields: ['members[].givenName', 'members[].familyName', 'formerMembers[].givenName', 'formerMembers[].familyName'],
    storedIn: RECORD,
    readers: RECORD_READERS,
    kept: UNTIL_ERASED,
    erasure: TOMBSTONE,
  },
  {
    data: 'Sex, date and year of birth, relationship to the head',
    fields: [
      'members[].sex',
      'members[].birthDate',
      'members[].birthYear',
      'members[].relationship',
      'formerMembers[].sex',
      'formerMembers[].birthDate',
      'formerMembers[].birthYear',
      'formerMembers[].relationship',
    ],
    storedIn: `${RECORD}; counted (never stored per person) in the displacement statistics`,
    readers: `${RECORD_READERS}; statistics: counts only`,
    kept: UNTIL_ERASED,
    erasure: `${TOMBSTONE}; the statistics keep their counts`,
  },
  {
    data: 'Specific needs (UNHCR codes: health, disability, protection)',
    fields: ['members[].specificNeeds[]', 'formerMembers[].specificNeeds[]'],
    storedIn: `${RECORD}; counted in the displacement statistics`,
    readers: `${RECORD_READERS}; statistics: counts only`,
    kept: UNTIL_ERASED,
    erasure: `${TOMBSTONE}; the statistics keep their counts`,
  },
  {
    data: 'Identity document: type and last four characters',
    fields: ['members[].document.type', 'members[].document.last4', 'formerMembers[].document.type', 'formerMembers[].document.last4'],
    storedIn: RECORD,
    readers: RECORD_READERS,
    kept: UNTIL_ERASED,
    erasure: TOMBSTONE,
  },
  {
    data: 'Identity document number',
    fields: [],
    requestOnly: ['members[].document.number'],
    storedIn:
      'never stored: its keyed hash keys the claim (`HHDOC#<country>#<hash>`/`CLAIM` or `DUP#<id>`), the day record of claims made through the API ' +
      '(`HHDOCRECENT#<country>#<day>`) and the household’s list of its claims (`HH#<id>`/`DOCUMENTS`)',
    readers: 'nobody reads a hash; lookup answers summaries (no personal data)',
    kept: `${UNTIL_ERASED}; day records 7 days`,
    erasure: 'claims, day records and the list deleted (the number can be registered again)',
  },
  {
    data: 'Phone and contact note',
    fields: ['contact.phone', 'contact.note'],
    storedIn: RECORD,
    readers: RECORD_READERS,
    kept: UNTIL_ERASED,
    erasure: TOMBSTONE,
  },
  {
    data: 'Places below the province: district, commune and village (gazetteer P-codes or text), site, host community',
    fields: [
      'origin.adm2',
      'origin.adm3',
      'origin.adm4',
      'origin.district',
      'origin.village',
      'current.adm2',
      'current.adm3',
      'current.adm4',
      'current.district',
      'current.village',
      'current.site',
      'current.hostCommunity',
      'destination.adm2',
      'destination.adm3',
      'destination.adm4',
      'destination.district',
      'destination.village',
    ],
    storedIn:
      `${RECORD}; the origin district and commune codes also key displacement counters (\`DSTATS#<country>\`/\`ADM2#<pcode>\`, \`ADM3#<pcode>\`), ` +
      `which hold counts only`,
    readers: RECORD_READERS,
    kept: UNTIL_ERASED,
    erasure: TOMBSTONE,
  },
  {
    data: 'Displacement dates, the registered site, return intentions (whether, when, what stands in the way)',
    fields: [
      'displacedSince',
      'currentSince',
      'current.siteId',
      'returnIntentions.intends',
      'returnIntentions.when',
      'returnIntentions.obstacles[]',
      'returnIntentions.surveyedAt',
    ],
    storedIn:
      `${RECORD}; dated movements in history entries (\`changes\`: effective date, provinces, site ids); counted in the displacement statistics, ` +
      `the site figures and the monthly flows`,
    readers: `${RECORD_READERS}; statistics and site figures: counts only`,
    kept: UNTIL_ERASED,
    erasure:
      `${TOMBSTONE}; history entries rewritten without \`changes\`; the site’s present ` +
      `figures lose the household, the statistics and flows keep their counts`,
  },
  {
    data: 'Departures of members (why and when: died, left, married out, split off) and who verified the household',
    fields: ['formerMembers[].departure.reason', 'formerMembers[].departure.date', 'verification.by'],
    storedIn: `${RECORD}; history entries (\`MEMBERS\`, \`changes\`: member id, date; the reason code); the departed no longer count in the statistics`,
    readers: RECORD_READERS,
    kept: UNTIL_ERASED,
    erasure: `${TOMBSTONE}; history entries rewritten without \`reason\` and \`changes\``,
  },
  {
    data: 'Destination point',
    fields: ['destination.point.coordinates[]'],
    storedIn: `${RECORD}; the return-safety index (\`HouseholdCell\`, \`HHGEO#<cell>\`/\`HH#<id>\`) while consent to RETURN_ASSISTANCE stands`,
    readers: `${RECORD_READERS}; the index is read by the return-safety checks only`,
    kept: `${UNTIL_ERASED}; the index item until RETURN_ASSISTANCE is withdrawn`,
    erasure: `${TOMBSTONE}; index item and at-risk links deleted`,
  },
  {
    data: 'Free-text reasons typed by staff (a status change, a reviewed duplicate, an erasure request)',
    fields: ['statusReason', 'reviewedDuplicate.reason', 'erasure.reason'],
    storedIn: `${RECORD}; history entries (\`HH#<id>\`/\`HISTORY#<entry>\`, \`reason\` and \`changes\`)`,
    readers: `${RECORD_READERS}; history: the same`,
    kept: UNTIL_ERASED,
    erasure:
      `${TOMBSTONE}; history entries rewritten without \`reason\` and \`changes\`; ` +
      `the household’s personal values blanked out of the erasure’s own reason`,
  },
  {
    data: 'Consent: date, purposes, withdrawals',
    fields: ['consent.given', 'consent.date', 'consent.purposes[]', 'consent.withdrawn[].purpose', 'consent.withdrawn[].date'],
    storedIn: `${RECORD}; consent changes in history entries`,
    readers: RECORD_READERS,
    kept: UNTIL_ERASED,
    erasure: `${TOMBSTONE}; history entries rewritten without \`changes\``,
  },
  {
    data: 'Registration code (printed with a QR code on the family’s card)',
    fields: ['code'],
    storedIn: `${RECORD}; its claim (\`HHCODE#<country>#<code>\`/\`CODE\`), which holds only the household id`,
    readers:
      `${RECORD_READERS}; distribution lists of the registering organisation. Whoever holds the card lets a relief agency of the country record ` +
      `assistance with it (the answer is the record, nothing of the household)`,
    kept: UNTIL_ERASED,
    erasure: `${TOMBSTONE}; the claim deleted, so the code finds nothing`,
  },
  {
    data: 'Assistance received: type, round, date, quantity and unit, the organisation that gave it, the household’s size then',
    fields: [],
    storedIn:
      '`Assistance` items (`HH#<id>`/`ASSIST#<record>`), the markers of the one-per-round rule (`ASSISTROUND#<round>#<type>`, `ASSISTREACHED#<round>`) and ' +
      'history entries (`ASSISTANCE`); counted (never per household) in the statistics per round (`ASTATS#<country>`/`ROUND#<round>`); the ' +
      '`AssistanceRecorded` event carries ids, type, round, quantity, unit and size only',
    readers:
      'the registering organisation (relief), the ministry of its country, admins; the organisation that gave it (its own records); the family’s copy ' +
      '(export); statistics: counts only',
    kept: UNTIL_ERASED,
    erasure: 'records and markers deleted; history entries rewritten without `changes`; the statistics keep their counts',
  },
  {
    data: 'A distribution list: names of the heads, codes, sizes and sites of an organisation’s households',
    fields: [],
    storedIn:
      'not stored when it is answered (CSV, `Cache-Control: no-store`; every household listed gets a `DISTRIBUTION_LIST` access entry); the list sent back ' +
      'to record a round is an upload (`DATA_DIR/uploads/<job>.csv`; S3 `uploads/<job>.csv`) and its refused rows’ messages ' +
      '(`HHIMPORT#<job>`/`ERROR#<row>`, no names)',
    readers: 'the organisation that asked for it; the upload: the importer only; refused rows: the organisation, its ministry, admins',
    kept: 'the upload until its job ends (S3 lifecycle 7 days at most); refused rows 90 days (`RETENTION_IMPORT_DAYS`)',
    erasure: 'the household’s assistance records as above; a list already downloaded is beyond reach (the access log says who took it)',
  },
  {
    data: 'Names, years of birth and origin commune or village as the duplicate index files them',
    fields: [],
    storedIn:
      'never as text: blocking buckets (`DuplicateBlockingBucket`, `DUPNAME#<country>#<hash>`/`K`) keyed by a keyed hash (HMAC-SHA256, its key derived from the document-hash secret) of the country, origin place and normalised name; each person of the bucket an attribute holding the household id, its organisation, the member’s index and year and the village code',
    readers: 'nobody reads a bucket through the API; a registration reads those of its own people to find possible duplicates',
    kept: UNTIL_ERASED,
    erasure: 'the household’s people taken out of their buckets; a bucket left empty deleted',
  },
  {
    data: 'Possible duplicates: pairs of households that may be one family, their score and reasons, the ministry’s decision',
    fields: [],
    storedIn:
      '`DuplicateReview` items (`DUPREVIEW#<id>`/`DUPREVIEW`: the two household ids, score, reasons, decision; no names) and the pair’s links (`HH#<id>`/`DUPPAIR#<other id>`); a SAME decision marks both records (`duplicateReviews`) and their histories; `possibleDuplicates` (the households) is only in a registration’s answer; an import job carries only their number',
    readers: 'the queue: the ministry of the country, admins; a registration’s answer: only the households the registering user may read',
    kept: UNTIL_ERASED,
    erasure: `reviews of the household’s pairs and their links deleted; the mark goes with the record (${TOMBSTONE})`,
  },
  {
    data: 'A registration’s answer (all of the above but the number)',
    fields: [],
    storedIn: 'idempotency record of a registration sent with `Idempotency-Key` (`IDEMPOTENCY#<user>#<key>`)',
    readers: 'the same user, replaying the same request',
    kept: '24 hours (`RETENTION_IDEMPOTENCY_HOURS`)',
    erasure: 'rewritten to answer 410 Gone',
  },
  {
    data: 'An import (CSV, XLSX workbook, ZIP of CSVs): every column of every row',
    fields: [],
    storedIn:
      'the uploaded file (`DATA_DIR/uploads/<job>.csv`; S3 `uploads/<job>.csv`, versioned); rejected rows’ messages (`HHIMPORT#<job>`/`ERROR#<row>`) name ' +
      'the household key and, for a document already registered, the household holding it; the job’s `report.unmappedValues` (`HHIMPORT#<job>`/`JOB`): ' +
      'values of choice columns (sex, relationship, consent, needs, document type) it could not translate, with counts, tied to no row or household; ' +
      'each committed chunk’s marker (`HHIMPORT#<job>`/`CHUNK#<n>`) keeps the ids of the households it stored (no names or values), which the job’s duplicate pass reads',
    readers: 'the file: the importer only; rejected rows and the report: the importing organisation, its ministry, admins; chunk markers: the importer only',
    kept: 'file: 7 days on S3 (lifecycle), locally until deleted; rejected rows and jobs 90 days (`RETENTION_IMPORT_DAYS`)',
    erasure:
      'the file of the household’s import deleted (on S3 its previous version a day later); rejected rows naming the household or holding its values ' +
      'rewritten',
  },
  {
    data: 'Who read or changed the record (staff user id, role, organisation)',
    fields: [],
    storedIn: 'access log (`HH#<id>`/`ACCESS#<entry>`): the household id is its only subject, no content',
    readers: 'the ministry of its country, admins; the family’s copy',
    kept: '5 years (`RETENTION_ACCESS_LOG_DAYS`)',
    erasure: 'kept for accountability: it names staff, and the household only by the tombstone’s id',
  },
  {
    data: 'Accident victims’ names and contacts',
    record: 'accident',
    fields: ['victims[].name', 'victims[].contact'],
    storedIn:
      '`AccidentVictimData` item (`ACCIDENT#<id>`/`VICTIMS`), apart from the accident; an accident create sent with `Idempotency-Key` keeps no body (a ' +
      'replay reads it afresh)',
    readers: 'operations and the ministry of the accident’s country, admins; never in `AccidentReported`, lists for others, statistics or logs',
    kept: '5 years from the accident’s date (`RETENTION_VICTIM_DATA_DAYS`, the item’s TTL)',
    erasure: '`POST /v1/accidents/{id}/victim-data-erasure` deletes the item; the accident, the victims’ sex, age, outcome and type, and the statistics stay',
  },
  {
    data: 'Accident victims’ sex, age, outcome, injuries, victim type, nationality, referral',
    record: 'accident',
    fields: [
      'victims[].sex',
      'victims[].age',
      'victims[].ageBand',
      'victims[].outcome',
      'victims[].injuries[]',
      'victims[].victimType',
      'victims[].nationality',
      'victims[].referredTo',
    ],
    storedIn: '`Accident` item (`ACCIDENT#<id>`/`ACCIDENT`); counted in the casualty statistics',
    readers: 'everyone who reads mine action data (without names, they identify nobody on their own); statistics: the breakdown under the small-cell rule',
    kept: 'with the accident',
    erasure: 'kept: without names and contacts they are the accident’s facts',
  },
];

/**
 * Fields of a household (`HouseholdSchema`) that are not personal: identifiers, bookkeeping,
 * statuses, provinces (the statistics’ unit), the return-safety result, staff who asked for an
 * erasure. Every field of the schema is either here or in {@link DATA_MAP}.
 */
export const NOT_PERSONAL: readonly string[] = [
  // Ids, scores and reason codes: what they link is personal-derived, and mapped under "Possible duplicates".
  'duplicateReviews[].reviewId',
  'duplicateReviews[].decision',
  'duplicateReviews[].at',
  'possibleDuplicates[].householdId',
  'possibleDuplicates[].score',
  'possibleDuplicates[].reasons[]',
  'id',
  'version',
  'createdAt',
  'updatedAt',
  'createdBy',
  'country',
  'org',
  'status',
  'blockedReason',
  'statusChangedAt',
  'origin.province',
  'current.province',
  'destination.province',
  'destination.point.type',
  'reviewedDuplicate.of',
  'returnSafety.status',
  'returnSafety.hazardAreaIds[]',
  'returnSafety.checkedAt',
  'returnSafety.nearbyHazardAreaIds[]',
  'returnSafety.reason',
  'importId',
  'members[].id',
  'formerMembers[].id',
  'formerMembers[].departure.recordedAt',
  'formerMembers[].departure.householdId',
  'verification.status',
  'verification.method',
  'verification.date',
  'verification.recordedAt',
  'verification.recordedBy.sub',
  'verification.recordedBy.role',
  'verification.recordedBy.org',
  'splitFrom.householdId',
  'splitFrom.at',
  'splitInto[].householdId',
  'splitInto[].at',
  'riskEducation.receivedAt',
  'riskEducation.sessionId',
  'erasure.status',
  'erasure.requested.role',
  'erasure.requested.org',
  'erasure.requested.at',
];

/** Where erasure cannot reach, said once (README). */
export const BEYOND_ERASURE =
  'Beyond the reach of an erasure: the table’s stream keeps the old image of every change for 24 hours (DynamoDB Streams; locally in DynamoDB ' +
  'Local’s database file, `DATA_DIR/dynamodb/shared-local-instance.db`, which also keeps deleted values in freed pages until they are reused ' +
  '— checked: a deleted item’s value was still in the file, and gone after `sqlite3 DATA_DIR/dynamodb/shared-local-instance.db VACUUM` run while ' +
  '`npm start` was stopped); point-in-time recovery keeps 35 days; AWS Backup keeps daily recovery points 7 days and monthly ones 365 days, in ' +
  'a vault that refuses early deletion. A restore from any of them brings erased households back: erase them again (their tombstones are in the live table).';

const cell = (s: string) => s.replaceAll('|', '\\|');

/** The README's "Data map" table. */
export function dataMapMarkdown(): string {
  const rows = DATA_MAP.map((e) => {
    const fields = [...e.fields, ...(e.requestOnly ?? []).map((f) => `${f} (request)`)];
    return `| ${cell(e.data)} | ${fields.length > 0 ? fields.map((f) => `\`${f}\``).join(', ') : '—'} | ${cell(e.storedIn)} | ${cell(e.readers)} | ${cell(e.kept)} | ${cell(e.erasure)} |`;
  });
  return ['| Personal data | Fields | Stored in | Who may read it | Kept | Erasure |', '|---|---|---|---|---|---|', ...rows, '', BEYOND_ERASURE].join('\n');
}
