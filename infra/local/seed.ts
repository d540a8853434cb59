/**
 * `npm run seed [-- --url http://localhost:3000]`: realistic demo data for a running local
 * server (`npm start`), created through the public HTTP API only — never written to DynamoDB.
 *
 * Tokens are signed with the local key under DATA_DIR (the same one `npm start` uses), so the
 * server accepts them. Re-running creates nothing new:
 * - every resource has a natural key (team name, hazard-area reference, a task's area, activity,
 *   teams and planned start, a progress report's date) looked up before it is created;
 * - every create also carries an `Idempotency-Key` derived from a stable seed name, sent by a
 *   user whose `sub` never changes, so a retry the lookup missed is replayed by the API;
 * - a task's moves are replayed from its history: moves already made are skipped.
 * Geometry comes from a seeded PRNG, so every run sends byte-for-byte the same bodies.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Country } from '../../shared/domain/common.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import { isProvinceOf, provinceOf } from '../../shared/domain/provinces.ts';
import type { HistoryEntry, ProgressReport, Task, TaskStatus } from '../../shared/domain/task.ts';
import type { Team } from '../../shared/domain/team.ts';
import type { Household } from '../../shared/domain/household.ts';
import type { Site } from '../../shared/domain/site.ts';
import { mapLimit } from '../../shared/map-limit.ts';
import { generatedSites } from './gen-households.ts';
import { ensureLocalSecrets, signLocalToken, type TokenClaims } from './keys.ts';

const say = (line: string) => process.stdout.write(`[seed] ${line}\n`);

/** A failure the user can act on: printed as one line, exit 1. */
class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness: one stream per seed name, so adding an entry never moves another.

function hashOf(text: string): number {
  let h = 0x811c9dc5; // FNV-1a, 32 bits
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small, well-distributed PRNG; same seed, same sequence, on every machine. */
function prng(name: string): () => number {
  let a = hashOf(`clearway-seed:${name}`);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const M_PER_DEG_LAT = 111_320;

type LonLat = [number, number];

interface Shape {
  centre: LonLat;
  vertices: LonLat[];
  /** GeoJSON Polygon coordinates: one closed, counter-clockwise ring. */
  ring: LonLat[];
}

/**
 * An irregular polygon of 6–10 vertices around a centre. The vertices sit at strictly
 * increasing angles (jittered by at most ±0.3 of the even step, so no gap reaches π) and varied
 * radii: the polygon is star-shaped around its centre, hence simple (never self-intersecting),
 * and every point between the centre and a vertex lies inside it.
 */
function irregularPolygon(name: string, centre: LonLat, hectares: number): Shape {
  const rand = prng(`geometry:${name}`);
  const n = 6 + Math.floor(rand() * 5);
  const meanRadiusM = Math.sqrt((hectares * 10_000) / Math.PI);
  const start = rand() * 2 * Math.PI;
  const step = (2 * Math.PI) / n;
  const mPerDegLon = M_PER_DEG_LAT * Math.cos((centre[1] * Math.PI) / 180);
  const vertices: LonLat[] = [];
  for (let i = 0; i < n; i++) {
    const angle = start + (i + (rand() - 0.5) * 0.6) * step;
    const r = meanRadiusM * (0.7 + rand() * 0.6);
    vertices.push([round6(centre[0] + (r * Math.cos(angle)) / mPerDegLon), round6(centre[1] + (r * Math.sin(angle)) / M_PER_DEG_LAT)]);
  }
  return { centre, vertices, ring: [...vertices, vertices[0]!] };
}

/** A point inside the shape: `fraction` (0..1) of the way from the centre to vertex `k`. */
function pointInside(shape: Shape, k: number, fraction: number): LonLat {
  const v = shape.vertices[k % shape.vertices.length]!;
  return [round6(shape.centre[0] + (v[0] - shape.centre[0]) * fraction), round6(shape.centre[1] + (v[1] - shape.centre[1]) * fraction)];
}

// ---------------------------------------------------------------------------------------------
// The demo data.

type Capability = 'MANUAL' | 'MECHANICAL' | 'MDD' | 'EOD' | 'NTS' | 'TS';

interface TeamSpec {
  key: string;
  name: string;
  organisation: string;
  country: Country;
  capabilities: Capability[];
}

const TEAMS: TeamSpec[] = [
  { key: 'kh-1', country: 'KH', organisation: 'CMAC', name: 'CMAC Demining Unit 3 Team 12', capabilities: ['MANUAL', 'MDD'] },
  { key: 'kh-2', country: 'KH', organisation: 'CMAC', name: 'CMAC Demining Unit 3 Team 7', capabilities: ['MANUAL', 'MECHANICAL'] },
  { key: 'kh-3', country: 'KH', organisation: 'CMAC', name: 'CMAC Demining Unit 4 EOD Team 2', capabilities: ['EOD', 'MANUAL'] },
  { key: 'kh-4', country: 'KH', organisation: 'CMAA', name: 'CMAA Technical Survey Team 1', capabilities: ['NTS', 'TS'] },
  { key: 'kh-5', country: 'KH', organisation: 'CMAC', name: 'CMAC Demining Unit 1 Team 5', capabilities: ['MANUAL', 'MDD'] },
  { key: 'kh-6', country: 'KH', organisation: 'CMAC', name: 'CMAC Demining Unit 2 Mechanical Team 3', capabilities: ['MECHANICAL', 'MANUAL'] },
  { key: 'th-1', country: 'TH', organisation: 'TMAC', name: 'TMAC HMAU 2 Team 1', capabilities: ['MANUAL', 'MDD'] },
  { key: 'th-2', country: 'TH', organisation: 'TMAC', name: 'TMAC HMAU 2 EOD Team 3', capabilities: ['EOD'] },
  { key: 'th-3', country: 'TH', organisation: 'TMAC', name: 'TMAC HMAU 1 Team 4', capabilities: ['MANUAL', 'MECHANICAL'] },
  { key: 'th-4', country: 'TH', organisation: 'TMAC', name: 'TMAC HMAU 2 Survey Team 2', capabilities: ['NTS', 'TS'] },
  { key: 'th-5', country: 'TH', organisation: 'TMAC', name: 'TMAC HMAU 3 Team 2', capabilities: ['MANUAL', 'EOD'] },
  { key: 'th-6', country: 'TH', organisation: 'TMAC', name: 'TMAC HMAU 3 Survey Team 1', capabilities: ['NTS', 'TS'] },
];

type Category = 'AP_MINE' | 'AT_MINE' | 'UXO' | 'SUBMUNITION';
type Period = 'LEGACY' | '2025_CONFLICT';
interface Contamination {
  category: Category;
  model?: string;
  period: Period;
}

interface AreaSpec {
  key: string;
  reference: string;
  name: string;
  country: Country;
  province: string;
  /** District and commune (tambon) P-codes of the shipped gazetteer edition. */
  adm2: string;
  adm3?: string;
  district: string;
  village?: string;
  /** [lon, lat] on the country's own side of the border, near a real crossing or landmark. */
  centre: LonLat;
  hectares: number;
  contested: boolean;
  classification: 'SHA' | 'CHA';
  evidence: 'DIRECT' | 'INDIRECT' | 'NONE';
  dateOfInformation: string;
  contamination: Contamination[];
}

const PMN2: Contamination = { category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' };
const M46: Contamination = { category: 'SUBMUNITION', model: 'M46', period: '2025_CONFLICT' };
const M85: Contamination = { category: 'SUBMUNITION', model: 'M85', period: '2025_CONFLICT' };
const TYPE72: Contamination = { category: 'AP_MINE', model: 'Type 72', period: 'LEGACY' };
const PMN: Contamination = { category: 'AP_MINE', model: 'PMN', period: 'LEGACY' };

// Along the Dângrêk escarpment Cambodia lies south of the border and Thailand north; from
// Poipet to Pailin the border runs north–south with Thailand to the west.
const AREAS: AreaSpec[] = [
  {
    key: 'kh-osmach',
    reference: 'DEMO-KH22-01',
    name: 'O Smach south ridge',
    country: 'KH',
    province: 'KH22',
    adm2: 'KH2205',
    adm3: 'KH220506',
    district: 'Trapeang Prasat',
    village: 'O Smach',
    centre: [103.5, 14.396],
    hectares: 24,
    contested: false,
    classification: 'CHA',
    evidence: 'DIRECT',
    dateOfInformation: '2025-08-14',
    contamination: [PMN2],
  },
  {
    key: 'kh-preahvihear',
    reference: 'DEMO-KH13-01',
    name: 'Preah Vihear temple approach, Phnom Trap',
    country: 'KH',
    province: 'KH13',
    adm2: 'KH1303',
    adm3: 'KH130306',
    district: 'Choam Khsant',
    village: 'Kan Tout',
    centre: [104.678, 14.374],
    hectares: 38,
    contested: false,
    classification: 'CHA',
    evidence: 'DIRECT',
    dateOfInformation: '2025-09-02',
    contamination: [M46, M85],
  },
  {
    key: 'kh-chongsangam',
    reference: 'DEMO-KH22-02',
    name: 'Chong Sa Ngam pass, south slope',
    country: 'KH',
    province: 'KH22',
    adm2: 'KH2201',
    district: 'Anlong Veng',
    village: 'Thmei',
    centre: [104.36, 14.358],
    hectares: 15,
    contested: true,
    classification: 'SHA',
    evidence: 'INDIRECT',
    dateOfInformation: '2025-10-21',
    contamination: [TYPE72, PMN2],
  },
  {
    key: 'kh-poipet',
    reference: 'DEMO-KH01-01',
    name: 'Poipet east paddies, K5 belt remnant',
    country: 'KH',
    province: 'KH01',
    adm2: 'KH0105',
    district: "O'Chrov",
    village: 'Kbal Spean',
    centre: [102.63, 13.675],
    hectares: 9,
    contested: false,
    classification: 'SHA',
    evidence: 'INDIRECT',
    dateOfInformation: '2023-03-17',
    contamination: [PMN],
  },
  {
    key: 'kh-pailin',
    reference: 'DEMO-KH24-01',
    name: 'Phnom Koy cassava fields',
    country: 'KH',
    province: 'KH24',
    adm2: 'KH2402',
    adm3: 'KH240203',
    district: 'Sala Krau',
    village: 'Stueng Kach',
    centre: [102.565, 12.875],
    hectares: 6,
    contested: false,
    classification: 'CHA',
    evidence: 'DIRECT',
    dateOfInformation: '2022-11-08',
    contamination: [TYPE72, PMN],
  },
  {
    key: 'kh-kamrieng',
    reference: 'DEMO-KH02-01',
    name: 'Kamrieng border track',
    country: 'KH',
    province: 'KH02',
    adm2: 'KH0212',
    adm3: 'KH021201',
    district: 'Kamrieng',
    village: 'Boeung Ampil',
    centre: [102.468, 13.08],
    hectares: 31,
    contested: false,
    classification: 'SHA',
    evidence: 'NONE',
    dateOfInformation: '2021-06-30',
    contamination: [
      { category: 'AP_MINE', period: 'LEGACY' },
      { category: 'UXO', period: 'LEGACY' },
    ],
  },
  {
    key: 'th-tamuen',
    reference: 'DEMO-TH32-01',
    name: 'Prasat Ta Muen Thom north terrace',
    country: 'TH',
    province: 'TH32',
    adm2: 'TH3214',
    district: 'Phanom Dong Rak',
    village: 'Ban Nong Khanna',
    centre: [103.262, 14.364],
    hectares: 12,
    contested: true,
    classification: 'CHA',
    evidence: 'DIRECT',
    dateOfInformation: '2025-08-03',
    contamination: [PMN2],
  },
  {
    key: 'th-chongchom',
    reference: 'DEMO-TH32-02',
    name: 'Chong Chom checkpoint woodland',
    country: 'TH',
    province: 'TH32',
    adm2: 'TH3206',
    adm3: 'TH320605',
    district: 'Kap Choeng',
    village: 'Ban Dan',
    centre: [103.6, 14.462],
    hectares: 20,
    contested: false,
    classification: 'SHA',
    evidence: 'INDIRECT',
    dateOfInformation: '2025-08-27',
    contamination: [M46, M85],
  },
  {
    key: 'th-phamoeidaeng',
    reference: 'DEMO-TH33-01',
    name: 'Pha Mo E Daeng cliff path',
    country: 'TH',
    province: 'TH33',
    adm2: 'TH3304',
    district: 'Kantharalak',
    village: 'Ban Phum Saron',
    centre: [104.69, 14.412],
    hectares: 45,
    contested: true,
    classification: 'CHA',
    evidence: 'DIRECT',
    dateOfInformation: '2025-09-15',
    contamination: [PMN2, M85],
  },
  {
    key: 'th-aranyaprathet',
    reference: 'DEMO-TH27-01',
    name: 'Ban Nong Ian orchard margin',
    country: 'TH',
    province: 'TH27',
    adm2: 'TH2706',
    district: 'Aranyaprathet',
    village: 'Ban Nong Ian',
    centre: [102.522, 13.712],
    hectares: 4,
    contested: false,
    classification: 'CHA',
    evidence: 'DIRECT',
    dateOfInformation: '2024-02-12',
    contamination: [PMN],
  },
  {
    key: 'th-bankruat',
    reference: 'DEMO-TH31-01',
    name: 'Ban Kruat reservoir south bank',
    country: 'TH',
    province: 'TH31',
    adm2: 'TH3108',
    adm3: 'TH310801',
    district: 'Ban Kruat',
    centre: [103.13, 14.302],
    hectares: 17,
    contested: false,
    classification: 'SHA',
    evidence: 'INDIRECT',
    dateOfInformation: '2025-11-04',
    contamination: [PMN2, { category: 'UXO', period: '2025_CONFLICT' }],
  },
  {
    key: 'th-namyuen',
    reference: 'DEMO-TH34-01',
    name: 'Nam Yuen hill 481 east spur',
    country: 'TH',
    province: 'TH34',
    adm2: 'TH3409',
    district: 'Nam Yuen',
    village: 'Ban Chong Bok',
    centre: [105.05, 14.395],
    hectares: 27,
    contested: false,
    classification: 'CHA',
    evidence: 'DIRECT',
    dateOfInformation: '2025-12-01',
    contamination: [M46, PMN2],
  },
];

interface FindSpec {
  category: Category;
  model?: string;
  quantity: number;
  condition: 'INTACT' | 'DAMAGED' | 'DETERIORATED' | 'UNKNOWN';
  depthCm?: number;
  /** Where: a fraction of the way from the area's centre towards one of its vertices. */
  at: { vertex: number; fraction: number };
}

type Step =
  | { move: TaskStatus; by: 'ops' | { team: string }; reason?: string }
  | { progress: { by: string; reportDate: string; share: number; finds?: FindSpec[]; notes?: string } };

interface TaskSpec {
  key: string;
  area: string;
  activityType: 'NTS' | 'TS' | 'CLEARANCE' | 'BAC' | 'EOD_SPOT';
  priority: number;
  joint: boolean;
  teams: string[];
  /** Operations of this country plan (and, for `ops` moves, assign or cancel) the task. */
  plannedBy: Country;
  plannedStart: string;
  plannedEnd: string;
  notes?: string;
  steps: Step[];
}

const ops = 'ops' as const;
const crew = (team: string) => ({ team });

const TASKS: TaskSpec[] = [
  {
    key: 't01',
    area: 'kh-osmach',
    activityType: 'CLEARANCE',
    priority: 1,
    joint: false,
    teams: ['kh-1'],
    plannedBy: 'KH',
    plannedStart: '2026-01-12',
    plannedEnd: '2026-03-20',
    notes: 'Manual clearance with MDD support of the ridge above the O Smach road.',
    steps: [
      { move: 'ASSIGNED', by: ops },
      { move: 'IN_PROGRESS', by: crew('kh-1') },
      {
        progress: {
          by: 'kh-1',
          reportDate: '2026-01-28',
          share: 0.45,
          finds: [{ category: 'AP_MINE', model: 'PMN-2', quantity: 2, condition: 'INTACT', depthCm: 8, at: { vertex: 1, fraction: 0.4 } }],
        },
      },
      { progress: { by: 'kh-1', reportDate: '2026-02-19', share: 0.55, notes: 'Last lane cleared; no further finds.' } },
      { move: 'COMPLETED', by: crew('kh-1') },
    ],
  },
  {
    key: 't02',
    area: 'th-tamuen',
    activityType: 'CLEARANCE',
    priority: 1,
    joint: true,
    teams: ['kh-2', 'th-1'],
    plannedBy: 'TH',
    plannedStart: '2026-02-16',
    plannedEnd: '2026-05-29',
    notes: 'Joint clearance of the terrace north of Prasat Ta Muen Thom under the ceasefire arrangement.',
    steps: [
      { move: 'ASSIGNED', by: ops },
      { move: 'IN_PROGRESS', by: crew('kh-2') },
      {
        progress: {
          by: 'th-1',
          reportDate: '2026-03-02',
          share: 0.12,
          finds: [{ category: 'AP_MINE', model: 'PMN-2', quantity: 3, condition: 'INTACT', depthCm: 5, at: { vertex: 0, fraction: 0.35 } }],
        },
      },
      {
        progress: {
          by: 'kh-2',
          reportDate: '2026-03-09',
          share: 0.15,
          finds: [{ category: 'AP_MINE', model: 'PMN-2', quantity: 1, condition: 'DAMAGED', depthCm: 12, at: { vertex: 3, fraction: 0.6 } }],
        },
      },
    ],
  },
  {
    key: 't03',
    area: 'th-phamoeidaeng',
    activityType: 'BAC',
    priority: 1,
    joint: true,
    teams: ['kh-3', 'th-5'],
    plannedBy: 'KH',
    plannedStart: '2026-03-02',
    plannedEnd: '2026-06-30',
    notes: 'Battle area clearance of the cliff path after the July 2025 fighting.',
    steps: [
      { move: 'ASSIGNED', by: ops },
      { move: 'IN_PROGRESS', by: crew('th-5') },
      {
        progress: {
          by: 'th-5',
          reportDate: '2026-03-11',
          share: 0.08,
          finds: [{ category: 'SUBMUNITION', model: 'M85', quantity: 4, condition: 'DAMAGED', depthCm: 0, at: { vertex: 2, fraction: 0.5 } }],
        },
      },
      { move: 'SUSPENDED', by: crew('th-5'), reason: 'flooding on access road' },
    ],
  },
  {
    key: 't04',
    area: 'kh-preahvihear',
    activityType: 'BAC',
    priority: 1,
    joint: false,
    teams: ['kh-3'],
    plannedBy: 'KH',
    plannedStart: '2025-11-17',
    plannedEnd: '2026-04-30',
    steps: [
      { move: 'ASSIGNED', by: ops },
      { move: 'IN_PROGRESS', by: crew('kh-3') },
      {
        progress: {
          by: 'kh-3',
          reportDate: '2025-12-04',
          share: 0.1,
          finds: [{ category: 'SUBMUNITION', model: 'M46', quantity: 6, condition: 'INTACT', at: { vertex: 4, fraction: 0.55 } }],
        },
      },
      { move: 'SUSPENDED', by: crew('kh-3'), reason: 'access road closed by flooding' },
      { move: 'IN_PROGRESS', by: crew('kh-3') },
      {
        progress: {
          by: 'kh-3',
          reportDate: '2026-01-15',
          share: 0.14,
          finds: [
            { category: 'SUBMUNITION', model: 'M85', quantity: 2, condition: 'DETERIORATED', depthCm: 3, at: { vertex: 2, fraction: 0.3 } },
            { category: 'AP_MINE', model: 'PMN-2', quantity: 1, condition: 'INTACT', depthCm: 6, at: { vertex: 5, fraction: 0.7 } },
          ],
        },
      },
      { progress: { by: 'kh-3', reportDate: '2026-02-05', share: 0.09 } },
    ],
  },
  {
    key: 't05',
    area: 'kh-chongsangam',
    activityType: 'TS',
    priority: 2,
    joint: false,
    teams: ['kh-4'],
    plannedBy: 'KH',
    plannedStart: '2026-12-07',
    plannedEnd: '2027-01-15',
    notes: 'Technical survey to confirm the suspected Type 72 belt along the old trench line.',
    steps: [{ move: 'ASSIGNED', by: ops }],
  },
  {
    key: 't06',
    area: 'kh-poipet',
    activityType: 'CLEARANCE',
    priority: 3,
    joint: false,
    teams: ['kh-5'],
    plannedBy: 'KH',
    plannedStart: '2027-01-11',
    plannedEnd: '2027-02-26',
    steps: [],
  },
  {
    key: 't07',
    area: 'kh-pailin',
    activityType: 'CLEARANCE',
    priority: 2,
    joint: false,
    teams: ['kh-6'],
    plannedBy: 'KH',
    plannedStart: '2025-12-01',
    plannedEnd: '2026-01-30',
    notes: 'Mechanical ground preparation, then manual clearance; land promised to twelve returnee households.',
    steps: [
      { move: 'ASSIGNED', by: ops },
      { move: 'IN_PROGRESS', by: crew('kh-6') },
      {
        progress: {
          by: 'kh-6',
          reportDate: '2025-12-12',
          share: 0.5,
          finds: [{ category: 'AP_MINE', model: 'Type 72', quantity: 2, condition: 'DETERIORATED', depthCm: 10, at: { vertex: 0, fraction: 0.5 } }],
        },
      },
      {
        progress: {
          by: 'kh-6',
          reportDate: '2026-01-22',
          share: 0.5,
          finds: [{ category: 'AP_MINE', model: 'PMN', quantity: 1, condition: 'DETERIORATED', depthCm: 14, at: { vertex: 3, fraction: 0.45 } }],
        },
      },
      { move: 'COMPLETED', by: crew('kh-6') },
    ],
  },
  {
    key: 't08',
    area: 'kh-kamrieng',
    activityType: 'NTS',
    priority: 4,
    joint: false,
    teams: ['kh-4'],
    plannedBy: 'KH',
    plannedStart: '2026-02-02',
    plannedEnd: '2026-02-13',
    steps: [{ move: 'CANCELLED', by: ops, reason: 'landowner refused access; to be re-planned after district mediation' }],
  },
  {
    key: 't09',
    area: 'th-chongchom',
    activityType: 'EOD_SPOT',
    priority: 1,
    joint: false,
    teams: ['th-2'],
    plannedBy: 'TH',
    plannedStart: '2026-03-16',
    plannedEnd: '2026-03-27',
    notes: 'Spot tasks on submunitions reported by rangers around the checkpoint.',
    steps: [
      { move: 'ASSIGNED', by: ops },
      { move: 'IN_PROGRESS', by: crew('th-2') },
      {
        progress: {
          by: 'th-2',
          reportDate: '2026-03-18',
          share: 0.02,
          finds: [{ category: 'SUBMUNITION', model: 'M46', quantity: 2, condition: 'INTACT', depthCm: 0, at: { vertex: 1, fraction: 0.65 } }],
        },
      },
    ],
  },
  {
    key: 't10',
    area: 'th-aranyaprathet',
    activityType: 'CLEARANCE',
    priority: 2,
    joint: false,
    teams: ['th-3'],
    plannedBy: 'TH',
    plannedStart: '2025-11-03',
    plannedEnd: '2025-12-19',
    steps: [
      { move: 'ASSIGNED', by: ops },
      { move: 'IN_PROGRESS', by: crew('th-3') },
      {
        progress: {
          by: 'th-3',
          reportDate: '2025-11-20',
          share: 0.6,
          finds: [{ category: 'AP_MINE', model: 'PMN', quantity: 3, condition: 'DETERIORATED', depthCm: 15, at: { vertex: 2, fraction: 0.5 } }],
        },
      },
      { progress: { by: 'th-3', reportDate: '2025-12-11', share: 0.4 } },
      { move: 'COMPLETED', by: crew('th-3') },
    ],
  },
  {
    key: 't11',
    area: 'th-bankruat',
    activityType: 'TS',
    priority: 3,
    joint: false,
    teams: ['th-4'],
    plannedBy: 'TH',
    plannedStart: '2027-01-18',
    plannedEnd: '2027-02-12',
    steps: [],
  },
  {
    key: 't12',
    area: 'th-namyuen',
    activityType: 'BAC',
    priority: 2,
    joint: false,
    teams: ['th-5'],
    plannedBy: 'TH',
    plannedStart: '2026-12-14',
    plannedEnd: '2027-02-26',
    steps: [{ move: 'ASSIGNED', by: ops }],
  },
  {
    key: 't13',
    area: 'th-phamoeidaeng',
    activityType: 'NTS',
    priority: 3,
    joint: false,
    teams: ['th-6'],
    plannedBy: 'TH',
    plannedStart: '2026-01-05',
    plannedEnd: '2026-01-23',
    steps: [
      { move: 'ASSIGNED', by: ops },
      { move: 'CANCELLED', by: ops, reason: 'area inside the military buffer zone; survey postponed until the observers clear access' },
    ],
  },
  {
    key: 't14',
    area: 'kh-osmach',
    activityType: 'CLEARANCE',
    priority: 2,
    joint: true,
    teams: ['kh-1', 'th-1'],
    plannedBy: 'KH',
    plannedStart: '2027-01-25',
    plannedEnd: '2027-04-30',
    notes: 'Second phase: joint clearance of the boundary strip north of the ridge.',
    steps: [],
  },
  {
    key: 't15',
    area: 'kh-chongsangam',
    activityType: 'CLEARANCE',
    priority: 2,
    joint: false,
    teams: ['kh-2'],
    plannedBy: 'KH',
    plannedStart: '2026-03-23',
    plannedEnd: '2026-05-15',
    steps: [
      { move: 'ASSIGNED', by: ops },
      { move: 'IN_PROGRESS', by: crew('kh-2') },
      {
        progress: {
          by: 'kh-2',
          reportDate: '2026-03-26',
          share: 0.06,
          finds: [{ category: 'AP_MINE', model: 'Type 72', quantity: 1, condition: 'DETERIORATED', depthCm: 9, at: { vertex: 1, fraction: 0.5 } }],
        },
      },
      { move: 'SUSPENDED', by: ops, reason: 'suspended by the joint border committee pending demarcation of the pass' },
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// HTTP.

interface Reply<T> {
  status: number;
  etag: string | null;
  replayed: boolean;
  body: T;
}

interface Problem {
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
  currentStatus?: string;
}

function describeProblem(what: string, reply: Reply<unknown>): string {
  const p = reply.body as Problem;
  const fields = p?.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
  return `${what} failed with ${reply.status}: ${p?.detail ?? p?.title ?? JSON.stringify(reply.body)}${fields ? ` (${fields})` : ''}`;
}

class Client {
  readonly base: string;
  readonly dataDir: string;
  private readonly tokens = new Map<string, string>();
  private privateKeyFile: string | undefined;

  constructor(base: string, dataDir: string) {
    this.base = base;
    this.dataDir = dataDir;
  }

  async token(claims: TokenClaims): Promise<string> {
    let token = this.tokens.get(claims.sub);
    if (!token) {
      this.privateKeyFile ??= (await ensureLocalSecrets(this.dataDir)).privateKeyFile;
      token = await signLocalToken(this.privateKeyFile, claims, '2h');
      this.tokens.set(claims.sub, token);
    }
    return token;
  }

  async call<T>(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e: unknown) {
      throw new SeedError(`${method} ${path} got no answer from ${this.base} (${(e as Error).message}); is the server still running?`);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // leave the text as it is, for the error message
    }
    if (res.status === 401) {
      throw new SeedError(
        `the server refused the seed's token (${(parsed as Problem)?.detail ?? 401}): run the seed with the same DATA_DIR as npm start (now ${this.dataDir}).`,
      );
    }
    return { status: res.status, etag: res.headers.get('etag'), replayed: res.headers.get('idempotent-replayed') === 'true', body: parsed as T };
  }

  async ok<T>(what: string, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const reply = await this.call<T>(method, path, token, body, headers);
    if (reply.status < 200 || reply.status > 299) throw new SeedError(describeProblem(what, reply));
    return reply;
  }

  /** Every item of a list, following `next` cursors. */
  async all<T>(path: string, token: string): Promise<T[]> {
    const items: T[] = [];
    const sep = path.includes('?') ? '&' : '?';
    let cursor: string | null = null;
    do {
      const page: Reply<{ items: T[]; next: string | null }> = await this.ok(
        `GET ${path}`,
        'GET',
        `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        token,
      );
      items.push(...page.body.items);
      cursor = page.body.next;
    } while (cursor);
    return items;
  }
}

// ---------------------------------------------------------------------------------------------
// Seeding.

interface Tally {
  created: number;
  existing: number;
}
const tally = (): Tally => ({ created: 0, existing: 0 });

interface Context {
  client: Client;
  observer: string;
  ops: Record<Country, string>;
  teams: Map<string, Team>;
  teamSpecs: Map<string, TeamSpec>;
  areas: Map<string, HazardArea>;
  shapes: Map<string, Shape>;
}

const opsClaims = (country: Country): TokenClaims => ({
  sub: `seed-operations-${country.toLowerCase()}`,
  role: 'operations',
  country,
  org: country === 'KH' ? 'CMAC' : 'TMAC',
});

async function deminerToken(ctx: Context, teamKey: string): Promise<string> {
  const spec = ctx.teamSpecs.get(teamKey)!;
  const team = ctx.teams.get(teamKey)!;
  return ctx.client.token({ sub: `seed-deminer-${teamKey}`, role: 'deminer', country: spec.country, org: spec.organisation, team: team.id });
}

/** POST a create with its Idempotency-Key; `existing` when the API replayed an earlier answer. */
async function create<T>(ctx: Context, what: string, path: string, token: string, key: string, body: unknown, t: Tally): Promise<T> {
  const reply = await ctx.client.ok<T>(what, 'POST', path, token, body, { 'idempotency-key': key });
  if (reply.replayed) t.existing++;
  else t.created++;
  return reply.body;
}

async function seedTeams(ctx: Context): Promise<Tally> {
  const t = tally();
  const known = new Map<string, Team>();
  for (const country of ['KH', 'TH'] as const) {
    for (const team of await ctx.client.all<Team>(`/v1/teams?country=${country}`, ctx.observer)) known.set(`${team.country}|${team.name}`, team);
  }
  for (const spec of TEAMS) {
    let team = known.get(`${spec.country}|${spec.name}`);
    if (team) t.existing++;
    else {
      const body = { name: spec.name, organisation: spec.organisation, country: spec.country, capabilities: spec.capabilities };
      team = await create<Team>(ctx, `team ${spec.name}`, '/v1/teams', ctx.ops[spec.country], `seed-team-${spec.key}`, body, t);
    }
    ctx.teams.set(spec.key, team);
  }
  return t;
}

async function seedHazardAreas(ctx: Context): Promise<Tally> {
  const t = tally();
  const known = new Map<string, HazardArea>();
  for (const country of ['KH', 'TH'] as const) {
    for (const area of await ctx.client.all<HazardArea>(`/v1/hazard-areas?country=${country}`, ctx.observer)) known.set(area.reference, area);
  }
  for (const spec of AREAS) {
    const shape = irregularPolygon(spec.key, spec.centre, spec.hectares);
    ctx.shapes.set(spec.key, shape);
    let area = known.get(spec.reference);
    if (area) t.existing++;
    else {
      const body = {
        reference: spec.reference,
        name: spec.name,
        country: spec.country,
        province: spec.province,
        adm2: spec.adm2,
        ...(spec.adm3 ? { adm3: spec.adm3 } : {}),
        district: spec.district,
        ...(spec.village ? { village: spec.village } : {}),
        contested: spec.contested,
        classification: spec.classification,
        evidence: spec.evidence,
        dateOfInformation: spec.dateOfInformation,
        contamination: spec.contamination,
        geometry: { type: 'Polygon', coordinates: [shape.ring] },
      };
      area = await create<HazardArea>(ctx, `hazard area ${spec.reference}`, '/v1/hazard-areas', ctx.ops[spec.country], `seed-hazard-${spec.key}`, body, t);
    }
    ctx.areas.set(spec.key, area);
  }
  return t;
}

const taskIdentity = (hazardAreaId: string, activityType: string, plannedStart: string, teamIds: string[]) =>
  `${hazardAreaId}|${activityType}|${plannedStart}|${[...teamIds].sort().join(',')}`;

async function seedTasks(ctx: Context): Promise<{ tally: Tally; tasks: Map<string, Task> }> {
  const t = tally();
  const known = new Map<string, Task>();
  for (const country of ['KH', 'TH'] as const) {
    for (const task of await ctx.client.all<Task>(`/v1/tasks?country=${country}`, ctx.observer))
      known.set(taskIdentity(task.hazardAreaId, task.activityType, task.plannedStart, task.teamIds), task);
  }
  const tasks = new Map<string, Task>();
  for (const spec of TASKS) {
    const area = ctx.areas.get(spec.area)!;
    const teamIds = spec.teams.map((k) => ctx.teams.get(k)!.id);
    let task = known.get(taskIdentity(area.id, spec.activityType, spec.plannedStart, teamIds));
    if (task) t.existing++;
    else {
      const body = {
        hazardAreaId: area.id,
        activityType: spec.activityType,
        priority: spec.priority,
        joint: spec.joint,
        teamIds,
        plannedStart: spec.plannedStart,
        plannedEnd: spec.plannedEnd,
        ...(spec.notes ? { notes: spec.notes } : {}),
      };
      task = await create<Task>(ctx, `task ${spec.key}`, '/v1/tasks', ctx.ops[spec.plannedBy], `seed-task-${spec.key}`, body, t);
    }
    tasks.set(spec.key, task);
  }
  return { tally: t, tasks };
}

interface LifecycleTally {
  moves: Tally;
  progress: Tally;
  leftAlone: string[];
}

/**
 * Plays each task's steps. Moves are counted from the task's history: the first N moves of the
 * plan are those already made. Progress reports are known by their date. A 409 on a move
 * means the task is already in the state the move wanted (counted as done) or was moved by
 * someone else, in which case the rest of its plan is left alone.
 */
async function playLifecycles(ctx: Context, tasks: Map<string, Task>): Promise<LifecycleTally> {
  const result: LifecycleTally = { moves: tally(), progress: tally(), leftAlone: [] };
  for (const spec of TASKS) {
    if (spec.steps.length === 0) continue;
    const taskId = tasks.get(spec.key)!.id;
    const history = await ctx.client.all<HistoryEntry>(`/v1/tasks/${taskId}/history`, ctx.observer);
    let movesDone = history.filter((h) => h.action === 'TRANSITION').length;
    const hasProgress = spec.steps.some((s) => 'progress' in s);
    // Progress is dated on or after the day its task started, which is the day the seed runs: the
    // story's field days go into the notes, and reports already there are counted, not matched by date.
    let progressDone = hasProgress ? (await ctx.client.all<ProgressReport>(`/v1/tasks/${taskId}/progress`, ctx.observer)).length : 0;
    const today = new Date().toISOString().slice(0, 10);
    const area = ctx.areas.get(spec.area)!;
    const shape = ctx.shapes.get(spec.area)!;

    for (const step of spec.steps) {
      if ('move' in step) {
        if (movesDone > 0) {
          movesDone--;
          result.moves.existing++;
          continue;
        }
        const token = step.by === 'ops' ? ctx.ops[spec.plannedBy] : await deminerToken(ctx, step.by.team);
        const current = await ctx.client.ok<Task>(`read task ${spec.key}`, 'GET', `/v1/tasks/${taskId}`, ctx.observer);
        const reply = await ctx.client.call<Task | Problem>(
          'POST',
          `/v1/tasks/${taskId}/transitions`,
          token,
          { to: step.move, ...(step.reason ? { reason: step.reason } : {}) },
          { 'if-match': current.etag ?? '' },
        );
        if (reply.status === 409) {
          if ((reply.body as Problem).currentStatus === step.move) {
            result.moves.existing++;
            continue;
          }
          result.leftAlone.push(`${spec.key} (${(reply.body as Problem).currentStatus ?? 'moved elsewhere'})`);
          break;
        }
        if (reply.status !== 200) throw new SeedError(describeProblem(`task ${spec.key} → ${step.move}`, reply));
        result.moves.created++;
      } else {
        const p = step.progress;
        if (progressDone > 0) {
          progressDone--;
          result.progress.existing++;
          continue;
        }
        const body = {
          reportDate: today,
          // Rounded down, so that the shares of a task never add up to more than its area.
          areaClearedSqm: Math.floor((area.areaSqm * p.share) / 10) * 10,
          finds: (p.finds ?? []).map((f) => ({
            category: f.category,
            ...(f.model ? { model: f.model } : {}),
            quantity: f.quantity,
            condition: f.condition,
            ...(f.depthCm === undefined ? {} : { depthCm: f.depthCm }),
            position: { type: 'Point', coordinates: pointInside(shape, f.at.vertex, f.at.fraction) },
          })),
          notes: `Field day ${p.reportDate}${p.notes ? `: ${p.notes}` : ''}`,
        };
        const reply = await ctx.client.call<ProgressReport | Problem>('POST', `/v1/tasks/${taskId}/progress`, await deminerToken(ctx, p.by), body, {
          'idempotency-key': `seed-progress-${spec.key}-${p.reportDate}`,
        });
        if (reply.status === 409 && (reply.body as Problem).currentStatus) {
          result.leftAlone.push(`${spec.key} (${(reply.body as Problem).currentStatus})`);
          break;
        }
        if (reply.status !== 201) throw new SeedError(describeProblem(`progress report ${spec.key} ${p.reportDate}`, reply));
        if (reply.replayed) result.progress.existing++;
        else result.progress.created++;
      }
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Returnees, accidents and risk education: the demand behind the clearance priorities.

interface ReturneeSpec {
  key: string;
  /** The hazard area whose edge the destination lies near (metres beyond the area's mean radius). */
  area: string;
  beyondM: number;
  members: number;
  to: 'INTENDS_RETURN' | 'RETURN_BLOCKED' | 'RETURNED' | 'DISPLACED';
}

/** Households waiting to go home near some areas (and far from none): enough to order the priorities. */
const RETURNEES: ReturneeSpec[] = [
  { key: 'osmach-1', area: 'kh-osmach', beyondM: 150, members: 6, to: 'INTENDS_RETURN' },
  { key: 'osmach-2', area: 'kh-osmach', beyondM: 250, members: 4, to: 'RETURN_BLOCKED' },
  { key: 'osmach-3', area: 'kh-osmach', beyondM: 300, members: 7, to: 'INTENDS_RETURN' },
  { key: 'osmach-4', area: 'kh-osmach', beyondM: 200, members: 3, to: 'RETURNED' },
  { key: 'chongsangam-1', area: 'kh-chongsangam', beyondM: 200, members: 5, to: 'RETURN_BLOCKED' },
  { key: 'chongsangam-2', area: 'kh-chongsangam', beyondM: 350, members: 2, to: 'DISPLACED' },
  { key: 'pailin-1', area: 'kh-pailin', beyondM: 100, members: 8, to: 'INTENDS_RETURN' },
  { key: 'tamuen-1', area: 'th-tamuen', beyondM: 200, members: 5, to: 'INTENDS_RETURN' },
  { key: 'tamuen-2', area: 'th-tamuen', beyondM: 300, members: 6, to: 'RETURN_BLOCKED' },
  { key: 'bankruat-1', area: 'th-bankruat', beyondM: 150, members: 4, to: 'INTENDS_RETURN' },
];

interface AccidentSpec {
  key: string;
  area: string;
  /** Metres north-east of the area's centre. */
  offsetM: number;
  occurredAt: string;
  device: { category: Category; model?: string };
  activity: string;
  source: string;
  /** Record a suspected area around the point instead of naming `area`. */
  suspected?: boolean;
  victims: { sex: 'F' | 'M'; age: number; outcome: 'KILLED' | 'INJURED'; victimType: string; nationality: Country; name?: string }[];
}

/** Demo accidents (dates within the last year, so they count in the priorities). */
const ACCIDENTS: AccidentSpec[] = [
  {
    key: 'osmach-cattle',
    area: 'kh-osmach',
    offsetM: 120,
    occurredAt: '2026-08-19',
    device: { category: 'AP_MINE', model: 'PMN-2' },
    activity: 'HERDING',
    source: 'CMAC Oddar Meanchey field office',
    victims: [{ sex: 'M', age: 15, outcome: 'INJURED', victimType: 'CIVILIAN', nationality: 'KH', name: 'Demo victim one' }],
  },
  {
    key: 'preahvihear-wood',
    area: 'kh-preahvihear',
    offsetM: 900,
    occurredAt: '2026-10-02',
    device: { category: 'SUBMUNITION', model: 'M85' },
    activity: 'COLLECTING_FOOD_OR_WOOD',
    source: 'Commune chief, Kan Tout',
    suspected: true,
    victims: [
      { sex: 'F', age: 42, outcome: 'KILLED', victimType: 'CIVILIAN', nationality: 'KH' },
      { sex: 'F', age: 9, outcome: 'INJURED', victimType: 'CIVILIAN', nationality: 'KH' },
    ],
  },
  {
    key: 'tamuen-patrol',
    area: 'th-tamuen',
    offsetM: 60,
    occurredAt: '2026-07-11',
    device: { category: 'AP_MINE', model: 'PMN-2' },
    activity: 'MILITARY_DUTY',
    source: 'Second Army Area',
    victims: [{ sex: 'M', age: 27, outcome: 'INJURED', victimType: 'MILITARY', nationality: 'TH' }],
  },
];

interface SessionSpec {
  key: string;
  country: Country;
  date: string;
  province: string;
  site: string;
  provider: string;
  audience: { girls: number; boys: number; women: number; men: number };
}

const SESSIONS: SessionSpec[] = [
  {
    key: 'pagoda4-jan',
    country: 'KH',
    date: '2026-09-14',
    province: 'KH22',
    site: 'Pagoda camp 4',
    provider: 'CMAC MRE team 2',
    audience: { girls: 18, boys: 22, women: 31, men: 19 },
  },
  {
    key: 'samraong-school',
    country: 'KH',
    date: '2026-10-03',
    province: 'KH22',
    site: 'Samraong high school',
    provider: 'DRC',
    audience: { girls: 40, boys: 37, women: 6, men: 4 },
  },
  {
    key: 'surin-shelter',
    country: 'TH',
    date: '2026-09-20',
    province: 'TH32',
    site: 'Kap Choeng district shelter',
    provider: 'TMAC HMAU 2',
    audience: { girls: 12, boys: 15, women: 25, men: 21 },
  },
];

const reliefClaims = (country: Country): TokenClaims => ({
  sub: `seed-relief-${country.toLowerCase()}`,
  role: 'relief',
  country,
  org: country === 'KH' ? 'DRC' : 'TRC',
});

/** A point `metres` north-east of a centre. */
function offset(centre: LonLat, metres: number): LonLat {
  const d = metres / Math.SQRT2;
  return [round6(centre[0] + d / (M_PER_DEG_LAT * Math.cos((centre[1] * Math.PI) / 180))), round6(centre[1] + d / M_PER_DEG_LAT)];
}

async function seedReturnees(ctx: Context): Promise<{ tally: Tally; moves: number }> {
  const t = tally();
  let moves = 0;
  for (const spec of RETURNEES) {
    const area = AREAS.find((a) => a.key === spec.area)!;
    const token = await ctx.client.token(reliefClaims(area.country));
    const document = `SEED${area.country}${hashOf(spec.key)}`;
    // The head's document is the household's natural key: a rerun finds it (idempotency records last a day).
    const found = await ctx.client.ok<{ items: { id: string; version: number; status: string }[] }>(
      `lookup ${spec.key}`,
      'POST',
      '/v1/households/lookup',
      token,
      { documentType: 'NATIONAL_ID', documentNumber: document },
    );
    let household = found.body.items[0];
    if (household) t.existing++;
    else {
      const radius = Math.sqrt((area.hectares * 10_000) / Math.PI);
      const point = offset(area.centre, radius * 1.3 + spec.beyondM);
      const body = {
        origin: {
          province: area.province,
          adm2: area.adm2,
          ...(area.adm3 ? { adm3: area.adm3 } : {}),
          ...(area.district ? { district: area.district } : {}),
          ...(area.village ? { village: area.village } : {}),
        },
        current: { province: area.country === 'KH' ? 'KH17' : 'TH32', site: area.country === 'KH' ? 'Pagoda camp 4' : 'Kap Choeng district shelter' },
        destination: {
          province: area.province,
          adm2: area.adm2,
          ...(area.adm3 ? { adm3: area.adm3 } : {}),
          ...(area.village ? { village: area.village } : {}),
          point: { type: 'Point', coordinates: point },
        },
        members: Array.from({ length: spec.members }, (_, i) => ({
          givenName: `Demo${i + 1}`,
          familyName: `Household ${spec.key}`,
          sex: i % 2 ? 'M' : 'F',
          birthYear: i === 0 ? 1979 : 2005 + i,
          relationship: i === 0 ? 'HEAD' : 'CHILD',
          ...(i === 0 ? { document: { type: 'NATIONAL_ID', number: document } } : {}),
        })),
        consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE', 'REGISTRATION', 'STATISTICS'] },
      };
      household = await create<{ id: string; version: number; status: string }>(
        ctx,
        `household ${spec.key}`,
        '/v1/households',
        token,
        `seed-household-${spec.key}`,
        body,
        t,
      );
    }
    // DISPLACED → INTENDS_RETURN (→ RETURN_BLOCKED by the hazard), or DISPLACED → RETURNED: the moves not made yet.
    const path = spec.to === 'RETURN_BLOCKED' ? ['INTENDS_RETURN', 'RETURN_BLOCKED'] : spec.to === 'DISPLACED' ? [] : [spec.to];
    let { status, version } = household;
    // A household someone has moved elsewhere since is left as it is.
    const todo = status === 'DISPLACED' || path.includes(status) ? path.slice(path.indexOf(status) + 1) : [];
    for (const to of todo) {
      const move = to === 'RETURN_BLOCKED' ? { to, blockedReason: 'HAZARD' } : { to };
      const moved = await ctx.client.ok<{ status: string; version: number }>(
        `move household ${spec.key}`,
        'POST',
        `/v1/households/${household.id}/transitions`,
        token,
        move,
        { 'if-match': `"${version}"` },
      );
      ({ status, version } = moved.body);
      moves++;
    }
  }
  return { tally: t, moves };
}

// ---------------------------------------------------------------------------------------------
// Displacement sites and households with dated movements.

/** The sites of `generatedSites` (three per affected province), found by code or registered. */
async function seedSites(ctx: Context): Promise<{ tally: Tally; sites: Map<string, Site> }> {
  const t = tally();
  const sites = new Map<string, Site>();
  for (const country of ['KH', 'TH'] as const) {
    const relief = await ctx.client.token(reliefClaims(country));
    const known = new Map((await ctx.client.all<Site>(`/v1/sites?country=${country}`, relief)).map((s) => [s.code, s]));
    // A few at a time: forty-odd creates one by one make the seed wait on each round trip.
    await mapLimit(generatedSites(country), 4, async (spec) => {
      let site = known.get(spec.code);
      if (site) t.existing++;
      else {
        const { country: _c, ...body } = spec;
        site = await create<Site>(
          ctx,
          `site ${spec.code}`,
          '/v1/sites',
          relief,
          `seed-site-${spec.code}`,
          { ...body, managingOrganisation: country === 'KH' ? 'DRC' : 'Thai Red Cross', openedAt: '2025-07-26' },
          t,
        );
      }
      sites.set(spec.code, site);
    });
  }
  return { tally: t, sites };
}

/** A seeded household: where it was displaced from, the site it was registered at, and its dated movements. */
interface HouseholdSpec {
  key: string;
  country: Country;
  origin: string;
  site: string;
  displacedSince: string;
  people: number;
  intends: 'YES' | 'NO' | 'UNDECIDED';
  moves: { to: string; site?: string; home?: true; effectiveDate: string; reason?: string; blockedReason?: string }[];
}

const HOUSEHOLDS: HouseholdSpec[] = [
  {
    key: 'kh-1',
    country: 'KH',
    origin: 'KH22',
    site: 'KH22-PGD-01',
    displacedSince: '2025-07-25',
    people: 5,
    intends: 'YES',
    moves: [
      { to: 'DISPLACED', site: 'KH22-CMP-03', effectiveDate: '2025-08-14' },
      { to: 'INTENDS_RETURN', effectiveDate: '2025-11-02' },
      { to: 'RETURNED', home: true, effectiveDate: '2025-11-20' },
    ],
  },
  {
    key: 'kh-2',
    country: 'KH',
    origin: 'KH22',
    site: 'KH22-SCH-02',
    displacedSince: '2025-07-26',
    people: 4,
    intends: 'UNDECIDED',
    moves: [
      { to: 'RETURNED', home: true, effectiveDate: '2025-11-05' },
      { to: 'REDISPLACED', site: 'KH22-PGD-01', effectiveDate: '2025-12-09', reason: 'fighting resumed' },
    ],
  },
  {
    key: 'kh-3',
    country: 'KH',
    origin: 'KH13',
    site: 'KH13-CMP-03',
    displacedSince: '2025-12-10',
    people: 6,
    intends: 'YES',
    moves: [
      { to: 'INTENDS_RETURN', effectiveDate: '2026-01-08' },
      { to: 'RETURN_BLOCKED', blockedReason: 'HAZARD', effectiveDate: '2026-01-15' },
    ],
  },
  {
    key: 'kh-4',
    country: 'KH',
    origin: 'KH01',
    site: 'KH01-PGD-01',
    displacedSince: '2025-12-12',
    people: 3,
    intends: 'NO',
    moves: [{ to: 'DISPLACED', site: 'KH01-SCH-02', effectiveDate: '2026-01-03' }],
  },
  {
    key: 'th-1',
    country: 'TH',
    origin: 'TH33',
    site: 'TH33-SCH-02',
    displacedSince: '2025-07-24',
    people: 4,
    intends: 'YES',
    moves: [
      { to: 'RETURNED', home: true, effectiveDate: '2025-08-30' },
      { to: 'REDISPLACED', site: 'TH33-CMP-03', effectiveDate: '2025-12-08', reason: 'shelling near the village' },
    ],
  },
  {
    key: 'th-2',
    country: 'TH',
    origin: 'TH32',
    site: 'TH32-PGD-01',
    displacedSince: '2025-12-09',
    people: 5,
    intends: 'UNDECIDED',
    moves: [{ to: 'DISPLACED', site: 'TH32-CMP-03', effectiveDate: '2025-12-20' }],
  },
  {
    key: 'th-3',
    country: 'TH',
    origin: 'TH34',
    site: 'TH34-CMP-03',
    displacedSince: '2025-12-11',
    people: 2,
    intends: 'YES',
    moves: [{ to: 'INTENDS_RETURN', effectiveDate: '2026-01-10' }],
  },
];

function householdBody(spec: HouseholdSpec, sites: Map<string, Site>): Record<string, unknown> {
  const rnd = prng(`household ${spec.key}`);
  const year = 2026;
  const kh = spec.country === 'KH';
  const members = Array.from({ length: spec.people }, (_, i) => ({
    givenName: kh ? ['សុភា', 'ដារ៉ា', 'ស្រីមុំ', 'វិចិត្រ', 'ចន្ធូ', 'សុខា'][i]! : ['มาลี', 'สมชาย', 'สุดา', 'วิชัย', 'นภา', 'บุญชู'][i]!,
    familyName: kh ? 'សុខ' : 'ศรีสุข',
    sex: i % 2 === 0 ? 'F' : 'M',
    birthYear: i === 0 ? year - 38 : i === 1 ? year - 41 : year - 2 - Math.floor(rnd() * 14),
    relationship: i === 0 ? 'HEAD' : i === 1 ? 'SPOUSE' : 'CHILD',
    specificNeeds: i === 2 && spec.people > 4 ? ['SP-PT'] : [],
    document: i < 2 ? { type: 'NATIONAL_ID', number: `SEED-${spec.key.toUpperCase()}-${i}` } : undefined,
  }));
  const site = sites.get(spec.site)!;
  return {
    origin: { province: spec.origin, village: 'seed village' },
    current: { province: site.province, siteId: site.id },
    destination: { province: spec.origin, village: 'seed village' },
    members,
    consent: { given: true, date: spec.displacedSince, purposes: ['RETURN_ASSISTANCE', 'STATISTICS'] },
    displacedSince: spec.displacedSince,
    returnIntentions: {
      intends: spec.intends,
      ...(spec.intends === 'YES' ? { when: '1_TO_3_MONTHS' } : {}),
      obstacles: spec.intends === 'YES' ? ['MINES_OR_UXO'] : ['HOUSE_DESTROYED', 'NO_LIVELIHOOD'],
      surveyedAt: spec.displacedSince,
    },
  };
}

/**
 * Households registered at sites with the day they were displaced and their return intentions, then
 * moved by dated transitions (between sites, home, displaced again) in the months they happened. A
 * household found by its head's document is left as it is (its moves were made by the first run).
 */
async function seedHouseholds(ctx: Context, sites: Map<string, Site>): Promise<{ tally: Tally; moves: number }> {
  const t = tally();
  let moves = 0;
  for (const spec of HOUSEHOLDS) {
    const relief = await ctx.client.token(reliefClaims(spec.country));
    const body = householdBody(spec, sites);
    const head = (body.members as { document: { type: string; number: string } }[])[0]!.document;
    const found = await ctx.client.ok<{ items: { id: string }[] }>(`lookup ${spec.key}`, 'POST', '/v1/households/lookup', relief, {
      documentType: head.type,
      documentNumber: head.number,
    });
    if (found.body.items.length > 0) {
      t.existing++;
      continue;
    }
    let household = await create<Household>(ctx, `household ${spec.key}`, '/v1/households', relief, `seed-household-${spec.key}`, body, t);
    if (household.version > 1) continue;
    for (const move of spec.moves) {
      const site = move.site ? sites.get(move.site)! : undefined;
      const current = site
        ? { province: site.province, siteId: site.id }
        : move.home
          ? { province: spec.origin, village: 'seed village', hostCommunity: 'home village' }
          : undefined;
      const reply = await ctx.client.ok<Household>(
        `move ${spec.key} to ${move.to}`,
        'POST',
        `/v1/households/${household.id}/transitions`,
        relief,
        {
          to: move.to,
          effectiveDate: move.effectiveDate,
          ...(current ? { current } : {}),
          ...(move.reason ? { reason: move.reason } : {}),
          ...(move.blockedReason ? { blockedReason: move.blockedReason } : {}),
        },
        { 'if-match': `"${household.version}"` },
      );
      household = reply.body;
      moves++;
    }
  }
  return { tally: t, moves };
}

async function seedAccidents(ctx: Context): Promise<Tally> {
  const t = tally();
  for (const spec of ACCIDENTS) {
    const area = AREAS.find((a) => a.key === spec.area)!;
    const point = offset(area.centre, spec.offsetM);
    // Natural key: the same point on the same date.
    const known = await ctx.client.all<{ point: { coordinates: number[] } }>(
      `/v1/accidents?province=${area.province}&from=${spec.occurredAt}&to=${spec.occurredAt}`,
      ctx.observer,
    );
    if (known.some((a) => a.point.coordinates[0] === point[0] && a.point.coordinates[1] === point[1])) {
      t.existing++;
      continue;
    }
    const body = {
      country: area.country,
      occurredAt: spec.occurredAt,
      point: { type: 'Point', coordinates: point },
      province: area.province,
      device: spec.device,
      activityAtTime: spec.activity,
      source: spec.source,
      ...(spec.suspected ? { createSuspectedHazardArea: { radiusM: 150, period: '2025_CONFLICT' } } : { hazardAreaId: ctx.areas.get(spec.area)!.id }),
      victims: spec.victims.map((v) => ({ ...v, ...(v.name ? { contact: '+855 12 000 000' } : {}) })),
    };
    await create(ctx, `accident ${spec.key}`, '/v1/accidents', ctx.ops[area.country], `seed-accident-${spec.key}`, body, t);
  }
  return t;
}

async function seedSessions(ctx: Context): Promise<Tally> {
  const t = tally();
  for (const spec of SESSIONS) {
    const token = await ctx.client.token(reliefClaims(spec.country));
    const known = await ctx.client.all<{ date: string; provider: string }>(
      `/v1/risk-education-sessions?country=${spec.country}&site=${encodeURIComponent(spec.site)}`,
      ctx.observer,
    );
    if (known.some((s) => s.date === spec.date && s.provider === spec.provider)) {
      t.existing++;
      continue;
    }
    const body = {
      date: spec.date,
      province: spec.province,
      site: spec.site,
      provider: spec.provider,
      delivery: 'FACE_TO_FACE',
      categories: ['AP_MINE', 'SUBMUNITION', 'UXO'],
      audience: spec.audience,
    };
    await create(ctx, `risk education session ${spec.key}`, '/v1/risk-education-sessions', token, `seed-session-${spec.key}`, body, t);
  }
  return t;
}

const line = (label: string, t: Tally, extra = '') =>
  say(`${label.padEnd(17)} ${String(t.created + t.existing).padStart(3)}: ${t.created} created, ${t.existing} already there${extra}`);

async function checkServer(base: string): Promise<void> {
  // A server that answers but whose database is busy (a new DATA_DIR loading the gazetteer) gets a few seconds.
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { status?: string };
      if (res.ok && body.status === 'ok') return;
      if (res.status !== 503) break;
    } catch {
      if (attempt > 0) break;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new SeedError(`no Clearway server answers at ${base}/health: start the server first with npm start, or pass --url`);
}

/** The coded places need a gazetteer edition in use: a new DATA_DIR gets one in the background, seconds after npm start listens. */
async function waitForGazetteer(client: Client, token: string): Promise<void> {
  for (let waited = 0; waited < 180_000; waited += 1000) {
    const editions = await client.call<{ current?: string | null }>('GET', '/v1/places/editions', token);
    if (editions.status === 200 && editions.body.current) return;
    if (waited === 0) say('waiting for the gazetteer edition to be loaded ...');
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new SeedError('no gazetteer edition is in use after 3 minutes: see the npm start output');
}

function checkSpecs(): void {
  for (const a of AREAS) if (!isProvinceOf(a.province, a.country)) throw new Error(`seed data: ${a.key} has province ${a.province} outside ${a.country}`);
  const teamKeys = new Set(TEAMS.map((t) => t.key));
  const areaKeys = new Set(AREAS.map((a) => a.key));
  for (const t of TASKS) {
    if (!areaKeys.has(t.area) || !t.teams.every((k) => teamKeys.has(k))) throw new Error(`seed data: task ${t.key} names an unknown area or team`);
  }
}

async function main(): Promise<void> {
  const usage = 'usage: npm run seed [-- --url http://localhost:3000]   (DATA_DIR locates the local signing key; default .data)';
  let values: { url?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({ options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (e: unknown) {
    throw new SeedError(`${(e as Error).message}; ${usage}`);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  checkSpecs();
  const base = (values.url ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/+$/, '');
  const dataDir = resolve(process.env.DATA_DIR || '.data');
  await checkServer(base);
  const started = performance.now();

  const client = new Client(base, dataDir);
  const ctx: Context = {
    client,
    observer: await client.token({ sub: 'seed-observer', role: 'observer', org: 'AOT' }),
    ops: { KH: await client.token(opsClaims('KH')), TH: await client.token(opsClaims('TH')) },
    teams: new Map(),
    teamSpecs: new Map(TEAMS.map((t) => [t.key, t])),
    areas: new Map(),
    shapes: new Map(),
  };
  say(`seeding ${base} (keys from ${dataDir})`);
  await waitForGazetteer(client, ctx.observer);

  const teams = await seedTeams(ctx);
  line('teams', teams, ` (KH ${TEAMS.filter((t) => t.country === 'KH').length}, TH ${TEAMS.filter((t) => t.country === 'TH').length})`);
  const areas = await seedHazardAreas(ctx);
  const provinces = [...new Set(AREAS.map((a) => a.province))].map((p) => provinceOf(p)?.name ?? p);
  line('hazard areas', areas, ` in ${provinces.length} provinces`);
  const { tally: tasks, tasks: byKey } = await seedTasks(ctx);
  line('tasks', tasks, ` (${TASKS.filter((t) => t.joint).length} joint)`);
  const lifecycle = await playLifecycles(ctx, byKey);
  line('progress reports', lifecycle.progress);
  say(
    `${'task moves'.padEnd(17)} ${String(lifecycle.moves.created + lifecycle.moves.existing).padStart(3)}: ` +
      `${lifecycle.moves.created} made, ${lifecycle.moves.existing} already made`,
  );
  if (lifecycle.leftAlone.length) say(`changed since seeded, left as they are: ${lifecycle.leftAlone.join(', ')}`);
  const { tally: siteTally, sites } = await seedSites(ctx);
  line('sites', siteTally, ` in ${new Set([...sites.values()].map((s) => s.province)).size} provinces`);
  const households = await seedHouseholds(ctx, sites);
  line('households', households.tally, `, ${households.moves} dated movements made`);
  const returnees = await seedReturnees(ctx);
  line('returnees', returnees.tally, ` (${returnees.moves} moved towards home)`);
  const accidents = await seedAccidents(ctx);
  line('accidents', accidents);
  const sessions = await seedSessions(ctx);
  line('EORE sessions', sessions);

  const parts = [teams, areas, tasks, lifecycle.progress, returnees.tally, accidents, sessions, siteTally, households.tally];
  const created = parts.reduce((n, p) => n + p.created, 0);
  const existing = parts.reduce((n, p) => n + p.existing, 0);
  say(
    `done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${created} created, ${existing} already there, ${lifecycle.moves.created} task moves made`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`[seed] ${e instanceof SeedError ? e.message : `failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`}\n`);
  process.exit(1);
});
