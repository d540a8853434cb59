import * as z from 'zod/mini';
import { Country, lazy } from '../domain/common.ts';

/** Every event is published with this EventBridge `source`; rules match on it. */
export const EVENT_SOURCE = 'clearway';

/**
 * The event catalogue: every event type as a typed constant, with a zod schema for the
 * `data` of each version. Nobody writes an event type as a string literal elsewhere.
 * Events carry identifiers and facts about land and tasks, never personal data.
 */
export const EventType = {
  HazardAreaRecorded: 'HazardAreaRecorded',
  HazardAreaStatusChanged: 'HazardAreaStatusChanged',
  TaskCreated: 'TaskCreated',
  TaskAssigned: 'TaskAssigned',
  TaskStatusChanged: 'TaskStatusChanged',
  OrdnanceFound: 'OrdnanceFound',
  ClearedAreaSubmitted: 'ClearedAreaSubmitted',
  ClearedAreaQaDecided: 'ClearedAreaQaDecided',
  LandHandedOver: 'LandHandedOver',
  HazardAreaWithdrawn: 'HazardAreaWithdrawn',
  ObservationRecorded: 'ObservationRecorded',
  ReleaseAttested: 'ReleaseAttested',
  HouseholdRegistered: 'HouseholdRegistered',
  HouseholdStatusChanged: 'HouseholdStatusChanged',
  HouseholdDestinationChanged: 'HouseholdDestinationChanged',
  ReturnSafetyChanged: 'ReturnSafetyChanged',
  HouseholdImportCompleted: 'HouseholdImportCompleted',
  HouseholdErased: 'HouseholdErased',
  AssistanceRecorded: 'AssistanceRecorded',
  AccidentReported: 'AccidentReported',
  AccidentCorrected: 'AccidentCorrected',
  HouseholdMoved: 'HouseholdMoved',
  HouseholdMembersChanged: 'HouseholdMembersChanged',
  HouseholdSplit: 'HouseholdSplit',
  HouseholdVerified: 'HouseholdVerified',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

const place = { country: Country, province: z.string() };

/** What both ministries hear of an accident; the victims' names and the breakdown by sex and age never. */
const accidentFacts = () =>
  z.object({
    accidentId: z.string(),
    ...place,
    adm2: z.optional(z.string()),
    adm3: z.optional(z.string()),
    occurredAt: z.string(),
    /** Rounded to 0.001° (about 100 m). */
    point: z.object({ type: z.literal('Point'), coordinates: z.array(z.number()) }),
    deviceCategory: z.string(),
    killed: z.number(),
    injured: z.number(),
    hazardAreaId: z.optional(z.string()),
    suspectedHazardAreaRecorded: z.boolean(),
  });

/** The `data` schema of each event type (version 1), built on the first event written. */
export const EventData = lazy(
  () =>
    ({
      [EventType.HazardAreaRecorded]: z.object({
        hazardAreaId: z.string(),
        ...place,
        classification: z.string(),
        areaSqm: z.number(),
        contested: z.boolean(),
        categories: z.array(z.string()),
        /** Ordnance found on land released earlier: the release it lies on. */
        foundOnReleasedLand: z.optional(z.object({ clearedAreaId: z.string(), hazardAreaId: z.string() })),
      }),
      // `reason` is the system's own (a task started, land released); a person's free text stays in the area's history.
      [EventType.HazardAreaStatusChanged]: z.object({
        hazardAreaId: z.string(),
        ...place,
        from: z.string(),
        to: z.string(),
        reason: z.optional(z.string()),
        reasonGiven: z.optional(z.boolean()),
        date: z.string(),
      }),
      [EventType.TaskCreated]: z.object({
        taskId: z.string(),
        hazardAreaId: z.string(),
        ...place,
        activityType: z.string(),
        joint: z.boolean(),
        teamIds: z.array(z.string()),
        plannedStart: z.string(),
        plannedEnd: z.string(),
      }),
      [EventType.TaskAssigned]: z.object({ taskId: z.string(), hazardAreaId: z.string(), ...place, teamIds: z.array(z.string()) }),
      // `reason` only when the system gave it (rework after QA); a person's free text stays in the task's history (`reasonGiven`).
      [EventType.TaskStatusChanged]: z.object({
        taskId: z.string(),
        hazardAreaId: z.string(),
        ...place,
        from: z.string(),
        to: z.string(),
        reason: z.optional(z.string()),
        reasonGiven: z.optional(z.boolean()),
      }),
      [EventType.OrdnanceFound]: z.object({
        taskId: z.string(),
        hazardAreaId: z.string(),
        progressId: z.string(),
        ...place,
        finds: z.array(z.object({ category: z.string(), model: z.optional(z.string()), quantity: z.number(), reviewRequired: z.boolean() })),
      }),
      [EventType.ClearedAreaSubmitted]: z.object({
        clearedAreaId: z.string(),
        taskId: z.string(),
        hazardAreaId: z.string(),
        ...place,
        outcome: z.string(),
        areaSqm: z.number(),
        parts: z.optional(z.array(z.object({ outcome: z.string(), method: z.string(), areaSqm: z.number() }))),
        eoMismatch: z.boolean(),
      }),
      // One event per country's decision: `decidingCountry` decided, `status` is the report's after it,
      // `remainingSqm` the hazard area's once the land was released.
      [EventType.ClearedAreaQaDecided]: z.object({
        clearedAreaId: z.string(),
        taskId: z.string(),
        hazardAreaId: z.string(),
        ...place,
        decidingCountry: z.optional(Country),
        decision: z.string(),
        nonconformities: z.number(),
        status: z.optional(z.string()),
        remainingSqm: z.optional(z.number()),
      }),
      [EventType.LandHandedOver]: z.object({
        clearedAreaId: z.string(),
        hazardAreaId: z.string(),
        ...place,
        certificateRef: z.string(),
        date: z.string(),
        areaSqm: z.number(),
        receivedByType: z.string(),
        attested: z.optional(z.boolean()),
      }),
      [EventType.HazardAreaWithdrawn]: z.object({
        hazardAreaId: z.string(),
        ...place,
        from: z.string(),
        date: z.string(),
        tasksCancelled: z.array(z.string()),
      }),
      // The observers' findings are statements on the work (marking, procedures), never on people.
      [EventType.ObservationRecorded]: z.object({
        observationId: z.string(),
        taskId: z.string(),
        hazardAreaId: z.string(),
        ...place,
        observedAt: z.string(),
        findings: z.string(),
        compliance: z.object({ jointTeamPresent: z.boolean(), markingInPlace: z.boolean(), proceduresFollowed: z.boolean() }),
        corrects: z.optional(z.string()),
      }),
      [EventType.ReleaseAttested]: z.object({
        clearedAreaId: z.string(),
        taskId: z.string(),
        hazardAreaId: z.string(),
        ...place,
        decision: z.string(),
        findings: z.string(),
        remainingSqm: z.optional(z.number()),
      }),
      // Both ministries: where, when, what device and how many were hurt; no names, and no breakdown
      // by sex or age (small counts would identify people: that is in the statistics, under the small-cell rule).
      [EventType.AccidentReported]: accidentFacts(),
      // A correction of the facts above (date, place codes, device, totals), as they now stand; `changed` names them.
      [EventType.AccidentCorrected]: z.object({ ...accidentFacts().shape, version: z.number(), changed: z.array(z.string()) }),
      // Household events: identifiers, places by P-code and counts only; never names, birth dates,
      // contacts or documents. They go to the household's own country only (see `audienceFor`).
      [EventType.HouseholdRegistered]: z.object({
        householdId: z.string(),
        ...place,
        org: z.string(),
        status: z.string(),
        memberCount: z.number(),
        destinationProvince: z.optional(z.string()),
        returnSafety: z.string(),
        viaImport: z.optional(z.string()),
      }),
      // `effectiveDate`: the day the movement happened; `fromSiteId`/`toSiteId`: the displacement sites it left and reached.
      [EventType.HouseholdStatusChanged]: z.object({
        householdId: z.string(),
        ...place,
        org: z.string(),
        from: z.string(),
        to: z.string(),
        blockedReason: z.optional(z.string()),
        memberCount: z.number(),
        effectiveDate: z.optional(z.string()),
        fromSiteId: z.optional(z.string()),
        toSiteId: z.optional(z.string()),
      }),
      // A dated move of place within the same status (between sites, to another province).
      [EventType.HouseholdMoved]: z.object({
        householdId: z.string(),
        ...place,
        org: z.string(),
        status: z.string(),
        effectiveDate: z.string(),
        fromProvince: z.string(),
        toProvince: z.string(),
        fromSiteId: z.optional(z.string()),
        toSiteId: z.optional(z.string()),
        memberCount: z.number(),
      }),
      [EventType.HouseholdDestinationChanged]: z.object({
        householdId: z.string(),
        ...place,
        org: z.string(),
        fromProvince: z.optional(z.string()),
        toProvince: z.optional(z.string()),
        returnSafety: z.string(),
      }),
      [EventType.ReturnSafetyChanged]: z.object({
        householdId: z.string(),
        ...place,
        org: z.string(),
        from: z.string(),
        to: z.string(),
        hazardAreaIds: z.array(z.string()),
        cause: z.optional(z.object({ hazardAreaId: z.string() })),
      }),
      // Ids only: the household is gone, its counts stay in the statistics.
      [EventType.HouseholdErased]: z.object({ householdId: z.string(), country: Country, org: z.string() }),
      // Who gave what kind in which round, and how much: ids, codes and counts, nothing about the family.
      [EventType.AssistanceRecorded]: z.object({
        assistanceId: z.string(),
        householdId: z.string(),
        country: Country,
        org: z.string(),
        assistanceType: z.string(),
        round: z.string(),
        quantity: z.number(),
        unit: z.string(),
        people: z.number(),
        firstOfRound: z.boolean(),
        importId: z.optional(z.string()),
      }),
      // A member added, corrected, departed, or the head changed: what happened (kind and reason) and the counts, never who.
      [EventType.HouseholdMembersChanged]: z.object({
        householdId: z.string(),
        ...place,
        org: z.string(),
        change: z.string(),
        /** The code of why (BIRTH, DECEASED, ...), never free text. */
        reasonCode: z.optional(z.string()),
        memberId: z.string(),
        memberCount: z.number(),
        memberCountBefore: z.number(),
      }),
      // A new household formed from members of another: both ids, both sizes.
      [EventType.HouseholdSplit]: z.object({
        householdId: z.string(),
        ...place,
        org: z.string(),
        newHouseholdId: z.string(),
        memberCount: z.number(),
        newMemberCount: z.number(),
        toSiteId: z.optional(z.string()),
      }),
      [EventType.HouseholdVerified]: z.object({
        householdId: z.string(),
        ...place,
        org: z.string(),
        from: z.string(),
        to: z.string(),
        method: z.optional(z.string()),
      }),
      [EventType.HouseholdImportCompleted]: z.object({
        importId: z.string(),
        country: Country,
        org: z.string(),
        rowsTotal: z.number(),
        rowsImported: z.number(),
        rowsRejected: z.number(),
        households: z.number(),
      }),
    }) satisfies Record<EventType, z.ZodMiniType>,
);

export type EventDataOf<T extends EventType> = z.infer<ReturnType<typeof EventData>[T]>;

/** The envelope (EventBridge `detail`; DESIGN section 5). */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  version: 1;
  occurredAt: string;
  audience: Country[];
  subject: { type: string; id: string };
  actor: { role: string; org: string };
  data: EventDataOf<T>;
}

/** Events about displaced people: only the household's own country hears of them. */
export const HOUSEHOLD_EVENTS: readonly EventType[] = [
  EventType.HouseholdRegistered,
  EventType.HouseholdStatusChanged,
  EventType.HouseholdDestinationChanged,
  EventType.ReturnSafetyChanged,
  EventType.HouseholdImportCompleted,
  EventType.HouseholdErased,
  EventType.AssistanceRecorded,
  EventType.HouseholdMoved,
  EventType.HouseholdMembersChanged,
  EventType.HouseholdSplit,
  EventType.HouseholdVerified,
];

/** Mine action is everyone's business: both ministries hear of it. */
const MINE_ACTION: readonly EventType[] = Object.values(EventType).filter((t) => !HOUSEHOLD_EVENTS.includes(t));

/** Routing: which countries' ministries receive an event about something of `country`. */
export function audienceFor(type: EventType, country: Country): Country[] {
  return MINE_ACTION.includes(type) ? ['KH', 'TH'] : [country];
}
