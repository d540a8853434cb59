import { describe, expect, it } from 'vitest';
import {
  attestationAllowsHandover,
  awaitsAttestation,
  decidableCountries,
  decisionsByCountry,
  partsOf,
  remainingOf,
  withdrawRefusal,
  type Area,
  type Report,
} from '../../web/src/views/land-release.ts';
import { localNow, validateObservation } from '../../web/src/views/observe/observation.ts';

/**
 * The rules the console applies before it offers a land-release action (web/src/views/land-release.ts):
 * who may decide a completion report for which country, when handover waits for the observer,
 * who may withdraw a hazard area, which land the map fills as remaining; and the observation
 * form's checks.
 */
const square = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [103.7, 14.35],
      [103.71, 14.35],
      [103.71, 14.36],
      [103.7, 14.36],
      [103.7, 14.35],
    ],
  ],
};
const actor = { sub: 'u1', role: 'qa', org: 'CMAA' };

function report(over: Partial<Report> = {}): Report {
  return {
    id: 'R1',
    version: 3,
    createdAt: '2026-02-01T00:00:00.000Z',
    updatedAt: '2026-02-01T00:00:00.000Z',
    createdBy: 'u0',
    taskId: 'T1',
    hazardAreaId: 'H1',
    country: 'KH',
    province: 'KH22',
    countries: ['KH', 'TH'],
    submittedBy: { sub: 'd', role: 'deminer', org: 'CMAC' },
    outcome: 'CLEARED',
    method: 'MANUAL',
    depthCm: 13,
    completedAt: '2026-02-01',
    geometry: square,
    areaSqm: 1200,
    eo: { fromProgressReports: {}, mismatch: false, differences: {} },
    status: 'SUBMITTED',
    requiredQaCountries: ['KH', 'TH'],
    qaDecisions: [],
    ...over,
  } as Report;
}

const accepted = (country: 'KH' | 'TH') => ({
  country,
  decision: 'ACCEPTED' as const,
  nonconformities: [],
  decidedAt: '2026-02-02T08:00:00.000Z',
  decidedBy: actor,
});

function area(over: Partial<Area> = {}): Area {
  return {
    id: 'H1',
    version: 2,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'u0',
    reference: 'KH22-0001',
    name: 'O Smach ridge',
    country: 'KH',
    province: 'KH22',
    contested: false,
    classification: 'CHA',
    evidence: 'DIRECT',
    dateOfInformation: '2025-07-28',
    contamination: [],
    geometry: square,
    areaSqm: 1_200_000,
    remainingSqm: 1_200_000,
    status: 'OPEN',
    statusChangedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  } as Area;
}

describe('who decides a completion report', () => {
  it('lets QA of each required country decide once, in its own slot, on a joint report', () => {
    const r = report();
    expect(decidableCountries(r, { role: 'qa', country: 'KH' })).toEqual({ countries: ['KH'] });
    expect(decidableCountries(r, { role: 'qa', country: 'TH' })).toEqual({ countries: ['TH'] });
    const afterKh = report({ qaDecisions: [accepted('KH')] });
    expect(decidableCountries(afterKh, { role: 'qa', country: 'KH' })).toEqual({ countries: [], refusal: 'alreadyDecided' });
    expect(decidableCountries(afterKh, { role: 'qa', country: 'TH' })).toEqual({ countries: ['TH'] });
    expect(decisionsByCountry(afterKh).map((d) => [d.country, d.decision?.decision ?? null])).toEqual([
      ['KH', 'ACCEPTED'],
      ['TH', null],
    ]);
  });

  it('refuses QA of a country that is not required (a national report of the other country)', () => {
    const national = report({ countries: ['KH'], requiredQaCountries: ['KH'] });
    expect(decidableCountries(national, { role: 'qa', country: 'TH' })).toEqual({ countries: [], refusal: 'notRequired' });
    expect(decidableCountries(national, { role: 'qa', country: 'KH' })).toEqual({ countries: ['KH'] });
  });

  it('lets an admin pick among the countries still to decide, and nobody decide a report no longer submitted', () => {
    expect(decidableCountries(report({ qaDecisions: [accepted('TH')] }), { role: 'admin' })).toEqual({ countries: ['KH'] });
    expect(decidableCountries(report(), { role: 'admin' })).toEqual({ countries: ['KH', 'TH'] });
    expect(decidableCountries(report({ status: 'QA_ACCEPTED' }), { role: 'qa', country: 'KH' }).refusal).toBe('notSubmitted');
    expect(decidableCountries(report(), { role: 'operations', country: 'KH' }).refusal).toBe('notQa');
  });

  it('reads an older report without requiredQaCountries by the countries that could decide it', () => {
    const old = report({ requiredQaCountries: undefined, qaDecisions: undefined, countries: ['TH'] });
    expect(decidableCountries(old, { role: 'qa', country: 'TH' })).toEqual({ countries: ['TH'] });
    expect(decidableCountries(old, { role: 'qa', country: 'KH' }).refusal).toBe('notRequired');
  });
});

describe('attestation and handover', () => {
  it('waits for the observer only where attestation is required, and hands over only attested land', () => {
    const joint = report({ status: 'QA_ACCEPTED', attestationRequired: true });
    expect(awaitsAttestation(joint)).toBe(true);
    expect(attestationAllowsHandover(joint)).toBe(false);
    const attested = report({
      status: 'QA_ACCEPTED',
      attestationRequired: true,
      attestation: { decision: 'ATTESTED', findings: 'as reported', attestedAt: '2026-02-03T00:00:00.000Z', attestedBy: { org: 'AOT' } },
    });
    expect(awaitsAttestation(attested)).toBe(false);
    expect(attestationAllowsHandover(attested)).toBe(true);
    const refused = report({
      status: 'NOT_ATTESTED',
      attestationRequired: true,
      attestation: { decision: 'NOT_ATTESTED', findings: 'no marking', attestedAt: '2026-02-03T00:00:00.000Z', attestedBy: { org: 'AOT' } },
    });
    expect(attestationAllowsHandover(refused)).toBe(false);
    const national = report({ status: 'QA_ACCEPTED', attestationRequired: false });
    expect(awaitsAttestation(national)).toBe(false);
    expect(attestationAllowsHandover(national)).toBe(true);
  });

  it('shows an older single-part report as one part', () => {
    expect(partsOf(report({ parts: undefined }))).toEqual([expect.objectContaining({ outcome: 'CLEARED', method: 'MANUAL', depthCm: 13, areaSqm: 1200 })]);
    const two = [
      { outcome: 'CLEARED' as const, method: 'MANUAL', depthCm: 13, geometry: square, areaSqm: 700 },
      { outcome: 'REDUCED' as const, method: 'TS', geometry: square, areaSqm: 500 },
    ];
    expect(partsOf(report({ parts: two }))).toBe(two);
  });
});

describe('withdrawing a hazard area', () => {
  it('is offered to operations of the area’s country and admins while no land was released', () => {
    expect(withdrawRefusal(area(), { role: 'operations', country: 'KH' })).toBeUndefined();
    expect(withdrawRefusal(area({ status: 'SUSPENDED' }), { role: 'admin' })).toBeUndefined();
    expect(withdrawRefusal(area(), { role: 'operations', country: 'TH' })).toBe('withdraw.notCountry');
    expect(withdrawRefusal(area(), { role: 'qa', country: 'KH' })).toBe('withdraw.notRole');
    expect(withdrawRefusal(area({ releasedSqm: 5000, status: 'WORKED_ON' }), { role: 'operations', country: 'KH' })).toBe('withdraw.released');
    for (const status of ['CLOSED', 'HANDED_OVER', 'WITHDRAWN'] as const) expect(withdrawRefusal(area({ status }), { role: 'admin' })).toBe('withdraw.status');
  });
});

describe('remaining land on the map', () => {
  it('fills the remaining geometry, the whole polygon while nothing was released, and nothing once none remains or the area is withdrawn', () => {
    const remaining = { type: 'MultiPolygon' as const, coordinates: [square.coordinates] };
    expect(remainingOf(area({ remainingGeometry: remaining, status: 'WORKED_ON' }))).toBe(remaining);
    expect(remainingOf(area())).toBe(square);
    expect(remainingOf(area({ remainingGeometry: null, remainingSqm: 0, status: 'WORKED_ON' }))).toBeUndefined();
    expect(remainingOf(area({ status: 'CLOSED', remainingSqm: 0 }))).toBeUndefined();
    expect(remainingOf(area({ status: 'WITHDRAWN' }))).toBeUndefined();
  });
});

describe('the observation form', () => {
  const now = Date.parse('2026-03-01T10:00:00Z');
  // Form values are the device's local time, as a datetime-local input gives them.
  const hourAgo = localNow(new Date(now - 3_600_000));
  const dayAhead = localNow(new Date(now + 86_400_000));
  it('needs findings and a time not in the future; a position is optional but complete and in range', () => {
    expect(validateObservation({ observedAt: hourAgo, findings: 'Joint team present, lanes marked.', lon: '', lat: '' }, now)).toEqual({});
    expect(validateObservation({ observedAt: hourAgo, findings: ' ', lon: '', lat: '' }, now)).toEqual({ findings: 'needFindings' });
    expect(validateObservation({ observedAt: dayAhead, findings: 'x', lon: '', lat: '' }, now).observedAt).toBe('needTime');
    expect(validateObservation({ observedAt: '', findings: 'x', lon: '', lat: '' }, now).observedAt).toBe('needTime');
    expect(validateObservation({ observedAt: hourAgo, findings: 'x', lon: '103.705', lat: '' }, now)).toEqual({ lat: 'needLat' });
    expect(validateObservation({ observedAt: hourAgo, findings: 'x', lon: '200', lat: '14.35' }, now)).toEqual({ lon: 'needLon' });
    expect(validateObservation({ observedAt: hourAgo, findings: 'x', lon: '103,705', lat: '14.355' }, now)).toEqual({});
  });
});
