import { describe, expect, it } from 'vitest';
import { EventType } from '../../shared/events/catalogue.ts';
import { EVENT_SOURCE } from '../../shared/events/catalogue.ts';
import { matchesPattern, MINISTRY_ROUTES, SAFETY_ROUTE } from '../../shared/events/routing.ts';

/** An event as EventBridge hands it to a rule: `detail-type` is the event type, `detail` the envelope. */
const busEvent = (type: string, source = EVENT_SOURCE) => ({
  version: '0',
  id: 'B1',
  'detail-type': type,
  source,
  detail: { id: 'E1', type, version: 1, audience: ['KH'], subject: { type: 'HazardArea', id: 'H1' }, actor: { role: 'operations', org: 'CMAC' }, data: {} },
});

describe('routing to the return-safety checks', () => {
  const checked = [
    EventType.HazardAreaRecorded,
    EventType.HazardAreaStatusChanged,
    EventType.HazardAreaWithdrawn,
    EventType.ClearedAreaQaDecided,
    EventType.ReleaseAttested,
    EventType.HouseholdRegistered,
    EventType.HouseholdDestinationChanged,
    EventType.ReturnSafetyChanged,
  ];

  it('is one EventBridge pattern on source and detail-type', () => {
    expect(SAFETY_ROUTE).toEqual({ id: 'return-safety', pattern: { source: ['clearway'], 'detail-type': checked } });
  });

  it('matches hazard areas recorded, changing status or withdrawn, land released or taken back, households registered or given a new destination and safety changes, and no other event type', () => {
    const matched = Object.values(EventType).filter((type) => matchesPattern(SAFETY_ROUTE.pattern, busEvent(type)));
    expect(matched.sort()).toEqual([...checked].sort());
  });

  it('matches on the top-level detail-type key like any other field: not another source, nor an event without it', () => {
    expect(matchesPattern(SAFETY_ROUTE.pattern, busEvent(EventType.HazardAreaRecorded, 'elsewhere'))).toBe(false);
    const { 'detail-type': _omitted, ...withoutType } = busEvent(EventType.HazardAreaRecorded);
    expect(matchesPattern(SAFETY_ROUTE.pattern, withoutType)).toBe(false);
    // The envelope's own `type` inside detail does not count: the rule reads detail-type.
    expect(matchesPattern(SAFETY_ROUTE.pattern, { ...busEvent(EventType.TaskCreated), detail: busEvent(EventType.HazardAreaRecorded).detail })).toBe(false);
  });

  it('leaves the ministry routes as they were: audience only, whatever the type', () => {
    expect(MINISTRY_ROUTES.map((r) => ({ id: r.id, pattern: r.pattern }))).toEqual([
      { id: 'ministry-kh', pattern: { source: ['clearway'], detail: { audience: ['KH'] } } },
      { id: 'ministry-th', pattern: { source: ['clearway'], detail: { audience: ['TH'] } } },
    ]);
    for (const type of Object.values(EventType))
      expect(MINISTRY_ROUTES.filter((r) => matchesPattern(r.pattern, busEvent(type))).map((r) => r.id)).toEqual(['ministry-kh']);
  });
});
