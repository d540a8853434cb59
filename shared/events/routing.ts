import { COUNTRIES, type Country } from '../domain/common.ts';
import { EVENT_SOURCE, EventType, type EventEnvelope } from './catalogue.ts';

/**
 * Routing of events to the ministries: one rule per country, matching the events whose
 * audience names it (mine action events name both countries, household events only their own,
 * see `audienceFor`). The CDK stack turns these into EventBridge rules; the local bus applies the
 * same patterns with {@link matchesPattern}, so both route alike.
 */
export interface MinistryRoute {
  ministry: Country;
  /** Stable id, used for the rule's construct id and the ministry's queue. */
  id: string;
  /** An EventBridge event pattern. */
  pattern: { source: string[]; detail: { audience: Country[] } };
}

export const MINISTRY_ROUTES: readonly MinistryRoute[] = COUNTRIES.map((ministry) => ({
  ministry,
  id: `ministry-${ministry.toLowerCase()}`,
  pattern: { source: [EVENT_SOURCE], detail: { audience: [ministry] } },
}));

/**
 * Routing of events to the return-safety checks (`functions/safety`): the changes after which
 * households' return safety is assessed again, as a durable backstop to the recomputation done
 * inside the request (which a crash right after the commit would skip). Hazard areas recorded or
 * changing status recompute the households near them; households registered, and every change of
 * a household's safety, assess that household again. It converges: a check writes, and emits a
 * ReturnSafetyChanged, only when the safety it finds differs from the stored one.
 */
export interface SafetyRoute {
  /** Stable id, used for the rule's construct id and the queue. */
  id: string;
  /** An EventBridge event pattern on `detail-type` (the event type). */
  pattern: { source: string[]; 'detail-type': EventType[] };
}

/** The events the return-safety checks act on, by what they name: a hazard area, a report of one (`data.hazardAreaId`), a household. */
export const SAFETY_EVENTS = {
  hazardArea: [EventType.HazardAreaRecorded, EventType.HazardAreaStatusChanged, EventType.HazardAreaWithdrawn],
  // Land released (the last QA acceptance) or taken back (not attested) changes an area's remaining land.
  release: [EventType.ClearedAreaQaDecided, EventType.ReleaseAttested],
  household: [EventType.HouseholdRegistered, EventType.HouseholdDestinationChanged, EventType.ReturnSafetyChanged],
} as const satisfies Record<string, readonly EventType[]>;

export const SAFETY_ROUTE: SafetyRoute = {
  id: 'return-safety',
  pattern: {
    source: [EVENT_SOURCE],
    'detail-type': [...SAFETY_EVENTS.hazardArea, ...SAFETY_EVENTS.release, ...SAFETY_EVENTS.household],
  },
};

/**
 * EventBridge's matching for the patterns above: every field of the pattern must match, a list
 * matches when the event's value (or any element of an array value) is in it.
 */
export function matchesPattern(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = event[field];
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((v) => expected.includes(v));
    }
    if (expected && typeof expected === 'object')
      return !!actual && typeof actual === 'object' && matchesPattern(expected as Record<string, unknown>, actual as Record<string, unknown>);
    return false;
  });
}

/** The ministries an event reaches, by the same rules as EventBridge. */
export const ministriesFor = (event: EventEnvelope): Country[] =>
  MINISTRY_ROUTES.filter((r) => matchesPattern(r.pattern, { source: EVENT_SOURCE, detail: event })).map((r) => r.ministry);
