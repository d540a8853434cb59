import { describe, expect, it } from 'vitest';
import { Area, areaSqm, distanceToAreaM } from '../../shared/domain/geometry.ts';
import { allowedHazardMoves, HAZARD_TRANSITIONS, HazardAreaCreate } from '../../shared/domain/hazard-area.ts';
import { isProvinceOf } from '../../shared/domain/provinces.ts';
import { allowedTaskMoves, TASK_STATUSES, TASK_TRANSITIONS } from '../../shared/domain/task.ts';
import { feedKeys } from '../../shared/db/keys/event.ts';
import { hazardsByCountry, hazardsByProvince, statusPrefix } from '../../shared/db/keys/hazard-area.ts';
import { taskCountryCopyKey, taskKey, tasksByCountry, tasksByProvince, tasksOfHazardArea, tasksOfTeam, taskTeamCopyKey } from '../../shared/db/keys/task.ts';

const square = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [105, 14.35],
      [105.01, 14.35],
      [105.01, 14.36],
      [105, 14.36],
      [105, 14.35],
    ],
  ],
};

describe('task lifecycle table', () => {
  it('follows PLANNED → ASSIGNED → IN_PROGRESS ⇄ SUSPENDED → COMPLETED, with CANCELLED before completion', () => {
    expect(allowedTaskMoves('PLANNED', 'operations')).toEqual(['ASSIGNED', 'CANCELLED']);
    expect(allowedTaskMoves('ASSIGNED', 'deminer')).toEqual(['IN_PROGRESS']);
    expect(allowedTaskMoves('IN_PROGRESS', 'deminer')).toEqual(['SUSPENDED', 'COMPLETED']);
    expect(allowedTaskMoves('SUSPENDED', 'deminer')).toEqual(['IN_PROGRESS']);
    expect(allowedTaskMoves('COMPLETED', 'admin')).toEqual([]);
    expect(allowedTaskMoves('CANCELLED', 'admin')).toEqual([]);
  });
  it('lets only the office cancel, and requires a reason to suspend or cancel', () => {
    for (const from of TASK_STATUSES) {
      const cancel = TASK_TRANSITIONS[from].CANCELLED;
      if (from === 'COMPLETED' || from === 'CANCELLED') expect(cancel).toBeUndefined();
      else expect(cancel).toEqual({ roles: ['operations', 'admin'], reasonRequired: true });
    }
    expect(TASK_TRANSITIONS.IN_PROGRESS.SUSPENDED?.reasonRequired).toBe(true);
    expect(TASK_TRANSITIONS.IN_PROGRESS.COMPLETED?.reasonRequired).toBe(false);
  });
  it('gives observers, QA, ministries and relief no moves at all', () => {
    for (const role of ['observer', 'qa', 'ministry', 'relief'] as const) for (const from of TASK_STATUSES) expect(allowedTaskMoves(from, role)).toEqual([]);
  });
});

describe('hazard area status table', () => {
  it('follows OPEN → WORKED_ON → (SUSPENDED), or WITHDRAWN; CLOSED and HANDED_OVER never by hand', () => {
    expect(allowedHazardMoves('OPEN', 'operations')).toEqual(['WORKED_ON', 'WITHDRAWN']);
    expect(allowedHazardMoves('WORKED_ON', 'operations')).toEqual(['SUSPENDED', 'WITHDRAWN']);
    expect(allowedHazardMoves('SUSPENDED', 'operations')).toEqual(['WORKED_ON', 'WITHDRAWN']);
    for (const from of Object.keys(HAZARD_TRANSITIONS) as (keyof typeof HAZARD_TRANSITIONS)[]) {
      for (const role of ['operations', 'admin'] as const) expect(allowedHazardMoves(from, role)).not.toContain('CLOSED');
      for (const role of ['operations', 'admin'] as const) expect(allowedHazardMoves(from, role)).not.toContain('HANDED_OVER');
    }
    expect(HAZARD_TRANSITIONS.HANDED_OVER).toEqual({});
    expect(HAZARD_TRANSITIONS.WITHDRAWN).toEqual({});
  });
});

describe('geometry', () => {
  it('computes the geodesic area of a 0.01° square near 14°N', () => {
    expect(areaSqm(Area.parse(square))).toBeGreaterThan(1_190_000);
    expect(areaSqm(Area.parse(square))).toBeLessThan(1_205_000);
  });
  it('measures a point inside as 0 m and one ~1 km east as ~1 km', () => {
    expect(distanceToAreaM({ type: 'Point', coordinates: [105.005, 14.355] }, square)).toBe(0);
    const d = distanceToAreaM({ type: 'Point', coordinates: [105.02, 14.355] }, square);
    expect(d).toBeGreaterThan(1000);
    expect(d).toBeLessThan(1150);
  });
  it('accepts a MultiPolygon and validates each of its polygons', () => {
    expect(Area.safeParse({ type: 'MultiPolygon', coordinates: [square.coordinates, square.coordinates] }).success).toBe(true);
    const r = Area.safeParse({
      type: 'MultiPolygon',
      coordinates: [
        square.coordinates,
        [
          [
            [105, 14],
            [105.1, 14],
            [105, 14.1],
          ],
        ],
      ],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['coordinates', 1, 0]);
  });
});

describe('provinces', () => {
  it('knows which country a border P-code belongs to', () => {
    expect(isProvinceOf('KH22', 'KH')).toBe(true);
    expect(isProvinceOf('KH22', 'TH')).toBe(false);
    expect(isProvinceOf('TH34', 'TH')).toBe(true);
    expect(HazardAreaCreate.safeParse({ province: 'TH99' }).success).toBe(false);
  });
});

describe('task and hazard-area key builders', () => {
  it('puts the status first in every list sort key, so a status filter is a prefix', () => {
    expect(tasksOfTeam('T1', 'ASSIGNED', 'K1')).toEqual({ gsi1pk: 'TEAM#T1#TASKS', gsi1sk: 'STATUS#ASSIGNED#TASK#K1' });
    expect(tasksOfHazardArea('H1', 'PLANNED', 'K1')).toEqual({ gsi1pk: 'HAZARD#H1#TASKS', gsi1sk: 'STATUS#PLANNED#TASK#K1' });
    expect(tasksByCountry('KH', 'PLANNED', 'K1')).toEqual({ gsi2pk: 'TASKS#COUNTRY#KH', gsi2sk: 'STATUS#PLANNED#TASK#K1' });
    expect(tasksByProvince('KH22', 'PLANNED', 'K1')).toEqual({ gsi3pk: 'TASKS#PROVINCE#KH22', gsi3sk: 'STATUS#PLANNED#TASK#K1' });
    expect(hazardsByCountry('TH', 'OPEN', 'H1')).toEqual({ gsi2pk: 'HAZARDS#COUNTRY#TH', gsi2sk: 'STATUS#OPEN#HAZARD#H1' });
    expect(hazardsByProvince('TH34', 'OPEN', 'H1')).toEqual({ gsi3pk: 'HAZARDS#PROVINCE#TH34', gsi3sk: 'STATUS#OPEN#HAZARD#H1' });
    expect(tasksByCountry('KH', 'PLANNED', 'K1').gsi2sk.startsWith(statusPrefix('PLANNED'))).toBe(true);
    expect(statusPrefix(undefined)).toBe('STATUS#');
  });
  it('keeps a task and its list copies in one partition', () => {
    expect(taskKey('K1').pk).toBe(taskCountryCopyKey('K1', 'KH').pk);
    expect(taskKey('K1').pk).toBe(taskTeamCopyKey('K1', 'T1').pk);
    expect(new Set([taskKey('K1').sk, taskCountryCopyKey('K1', 'KH').sk, taskTeamCopyKey('K1', 'T1').sk]).size).toBe(3);
  });
});

describe('event feed keys', () => {
  it('puts an event for both countries in both feeds, and a national one in its own only', () => {
    expect(feedKeys(['KH', 'TH'], 'E1')).toEqual({ gsi2pk: 'FEED#KH', gsi2sk: 'EVENT#E1', gsi3pk: 'FEED#TH', gsi3sk: 'EVENT#E1' });
    expect(feedKeys(['TH'], 'E2')).toEqual({ gsi3pk: 'FEED#TH', gsi3sk: 'EVENT#E2' });
  });
});
