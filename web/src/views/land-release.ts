/**
 * The land-release records as the console reads them (README "Land release"): completion
 * reports with parts, one QA decision per required country and the ASEAN observer's
 * attestation; hazard areas with their remaining geometry; observations of tasks. And the rules
 * the console applies before offering an action, so a button is shown only to whom the API will
 * let use it (the API decides in the end). No domain code and no zod: the view chunks stay small.
 */
import type { ClearedArea as StoredReport } from '#shared/domain/cleared-area.ts';
import type { HazardArea as StoredHazardArea } from '#shared/domain/hazard-area.ts';
import type { Role, Session } from '../app/session.ts';

export type Country = 'KH' | 'TH';
export const COUNTRIES: readonly Country[] = ['KH', 'TH'];

type Polygonal = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
export type Actor = { sub?: string; role?: string; org: string };

export type Outcome = 'CANCELLED' | 'REDUCED' | 'CLEARED';
export type ReportStatus = 'SUBMITTED' | 'QA_ACCEPTED' | 'QA_REJECTED' | 'NOT_ATTESTED' | 'HANDED_OVER';

export interface QaCountryDecision {
  country: Country;
  decision: 'ACCEPTED' | 'REJECTED';
  nonconformities: NonNullable<StoredReport['qa']>['nonconformities'];
  comment?: string;
  decidedAt: string;
  decidedBy: Actor;
}

export interface Attestation {
  decision: 'ATTESTED' | 'NOT_ATTESTED';
  findings: string;
  attestedAt: string;
  attestedBy: Actor;
}

export interface ReportPart {
  outcome: Outcome;
  method: string;
  depthCm?: number;
  evidence?: string;
  geometry: Polygonal;
  areaSqm: number;
}

/** A completion report: the stored fields plus those of land release (optional: older reports lack them). */
export type Report = Omit<StoredReport, 'status' | 'parts' | 'qaDecisions' | 'requiredQaCountries' | 'attestationRequired' | 'attestation'> & {
  status: ReportStatus;
  parts?: ReportPart[];
  qaDecisions?: QaCountryDecision[];
  requiredQaCountries?: Country[];
  attestationRequired?: boolean;
  attestation?: Attestation;
};

export type AreaStatus = 'OPEN' | 'WORKED_ON' | 'SUSPENDED' | 'CLOSED' | 'HANDED_OVER' | 'WITHDRAWN';

/** A hazard area with its remaining (still contaminated) land. */
export type Area = Omit<StoredHazardArea, 'status' | 'remainingGeometry' | 'withdrawn' | 'hasCompletionReport'> & {
  status: AreaStatus;
  /** Absent while nothing has been released (the whole polygon remains); null once nothing remains. */
  remainingGeometry?: Polygonal | null;
  withdrawn?: { reason: string; at: string; by: Actor };
  hasCompletionReport?: boolean;
};

/** A feature of `GET /v1/hazard-areas/{id}` as `application/geo+json`. */
export interface AreaFeature {
  type: 'Feature';
  geometry: Polygonal;
  properties: { kind: 'original' | 'remaining' | 'released'; clearedAreaId?: string; part?: number; outcome?: Outcome; method?: string; areaSqm?: number };
}

export interface Observation {
  id: string;
  taskId: string;
  observedAt: string;
  point?: { type: 'Point'; coordinates: number[] };
  findings: string;
  compliance: { jointTeamPresent: boolean; markingInPlace: boolean; proceduresFollowed: boolean };
  corrects?: string;
  recordedAt: string;
  recordedBy: Actor;
}

export const COMPLIANCE = ['jointTeamPresent', 'markingInPlace', 'proceduresFollowed'] as const;

/** The countries whose QA must decide: as the server says, else (older reports) the countries that could decide. */
export const requiredCountries = (report: Report): Country[] => report.requiredQaCountries ?? report.countries;

/** Each required country's decision, or undefined while it has not decided. */
export function decisionsByCountry(report: Report): { country: Country; decision: QaCountryDecision | undefined }[] {
  const decisions = report.qaDecisions ?? [];
  return requiredCountries(report).map((country) => ({ country, decision: decisions.find((d) => d.country === country) }));
}

/** Why a QA user may not decide a report (a key of the QA messages), or undefined when it may. */
export type DecideRefusal = 'notRequired' | 'alreadyDecided' | 'notSubmitted' | 'notQa';

/**
 * Whether this user may decide now, and for which countries: a QA officer for its own country
 * when that country is required and has not decided; an admin for any required country still
 * undecided (it names the country).
 */
export function decidableCountries(report: Report, session: Pick<Session, 'role' | 'country'>): { countries: Country[]; refusal?: DecideRefusal } {
  if (report.status !== 'SUBMITTED') return { countries: [], refusal: 'notSubmitted' };
  const open = decisionsByCountry(report)
    .filter((d) => !d.decision)
    .map((d) => d.country);
  if (session.role === 'admin') return open.length > 0 ? { countries: open } : { countries: [], refusal: 'alreadyDecided' };
  if (session.role !== 'qa' || !session.country) return { countries: [], refusal: 'notQa' };
  if (!requiredCountries(report).includes(session.country)) return { countries: [], refusal: 'notRequired' };
  if (!open.includes(session.country)) return { countries: [], refusal: 'alreadyDecided' };
  return { countries: [session.country] };
}

/** Whether a report awaits the observer's attestation (accepted by QA, attestation required, none yet). */
export const awaitsAttestation = (report: Report): boolean => report.status === 'QA_ACCEPTED' && report.attestationRequired === true && !report.attestation;

/** Whether the land of an accepted report may be handed over as far as attestation goes. */
export const attestationAllowsHandover = (report: Report): boolean => !report.attestationRequired || report.attestation?.decision === 'ATTESTED';

/** Roles that record observations and attestations. */
export const OBSERVING_ROLES: readonly Role[] = ['observer', 'admin'];

/** The parts of a report: as stored, or the single part of a report older than parts. */
export function partsOf(report: Report): ReportPart[] {
  if (report.parts && report.parts.length > 0) return report.parts;
  return [
    {
      outcome: report.outcome,
      method: report.method,
      ...(report.depthCm !== undefined ? { depthCm: report.depthCm } : {}),
      geometry: report.geometry as Polygonal,
      areaSqm: report.areaSqm,
    },
  ];
}

/** Statuses from which operations may withdraw an area recorded in error. */
const WITHDRAWABLE: readonly AreaStatus[] = ['OPEN', 'WORKED_ON', 'SUSPENDED'];

/** Why the withdraw action is not offered (a key of the map messages), or undefined when it is. */
export type WithdrawRefusal = 'withdraw.notRole' | 'withdraw.notCountry' | 'withdraw.status' | 'withdraw.released';

export function withdrawRefusal(area: Area, session: Pick<Session, 'role' | 'country'>): WithdrawRefusal | undefined {
  if (session.role !== 'operations' && session.role !== 'admin') return 'withdraw.notRole';
  if (session.role === 'operations' && session.country !== area.country) return 'withdraw.notCountry';
  if (!WITHDRAWABLE.includes(area.status)) return 'withdraw.status';
  if ((area.releasedSqm ?? 0) > 0) return 'withdraw.released';
  return undefined;
}

/** The land still contaminated: the remaining geometry, the whole polygon while nothing was released, none once nothing remains or the area is withdrawn. */
export function remainingOf(area: Area): Polygonal | undefined {
  if (area.status === 'CLOSED' || area.status === 'HANDED_OVER' || area.status === 'WITHDRAWN') return undefined;
  if (area.remainingGeometry !== undefined) return area.remainingGeometry ?? undefined;
  return area.geometry as Polygonal;
}
