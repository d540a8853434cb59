import { describe, expect, it } from 'vitest';
import {
  ageBand,
  allowedHouseholdMoves,
  canReadAccessLog,
  canSeeHousehold,
  DOCUMENT_TYPES,
  HOUSEHOLD_STATUSES,
  HOUSEHOLD_TRANSITIONS,
  HouseholdCreate,
  HouseholdPatch,
  HouseholdTransition,
  MemberCreate,
  normaliseDocumentNumber,
  placeProblems,
  storedMember,
  summarise,
  type Household,
} from '../../shared/domain/household.ts';
import { ROLES } from '../../shared/domain/roles.ts';
import { hashDocument, legacyDocumentHashes } from '../../shared/db/document-hash.ts';

const thisYear = new Date().getUTCFullYear();
const head = {
  givenName: 'Sokha',
  familyName: 'Chan',
  sex: 'F',
  birthYear: 1986,
  relationship: 'HEAD',
  specificNeeds: ['SP-PT'],
  document: { type: 'NATIONAL_ID', number: '0102-03040' },
};
const body = (overrides: Record<string, unknown> = {}) => ({
  origin: { province: 'KH22' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  members: [head],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  ...overrides,
});
const paths = (r: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) => (r.error?.issues ?? []).map((i) => i.path.join('.'));

describe('household registration rules', () => {
  it('accepts a well-formed household and defaults specific needs to none', () => {
    const parsed = HouseholdCreate.safeParse(
      body({ members: [head, { givenName: 'Dara', familyName: 'Chan', sex: 'M', birthDate: '2012-03-04', relationship: 'CHILD' }] }),
    );
    expect(parsed.success).toBe(true);
    expect(parsed.data!.members[1]!.specificNeeds).toEqual([]);
  });
  it('needs exactly one head of household', () => {
    expect(paths(HouseholdCreate.safeParse(body({ members: [{ ...head, relationship: 'SPOUSE' }] })))).toContain('members');
    expect(paths(HouseholdCreate.safeParse(body({ members: [head, { ...head, givenName: 'Vuthy' }] })))).toContain('members');
  });
  it('needs consent given, dated, with at least one purpose', () => {
    const { consent: _c, ...noConsent } = body();
    expect(paths(HouseholdCreate.safeParse(noConsent))).toContain('consent');
    expect(paths(HouseholdCreate.safeParse(body({ consent: { given: false, date: '2026-01-15', purposes: ['REGISTRATION'] } })))).toContain('consent.given');
    expect(paths(HouseholdCreate.safeParse(body({ consent: { given: true, date: '2026-01-15', purposes: [] } })))).toContain('consent.purposes');
  });
  it('checks specific-needs codes against the UNHCR list', () => {
    expect(paths(HouseholdCreate.safeParse(body({ members: [{ ...head, specificNeeds: ['XX-NOPE'] }] })))).toContain('members.0.specificNeeds.0');
    expect(paths(HouseholdCreate.safeParse(body({ members: [{ ...head, specificNeeds: ['SP-PT', 'SP-PT'] }] })))).toContain('members.0.specificNeeds');
  });
  it('wants a plausible year or date of birth, and the two to agree', () => {
    const member = (m: Record<string, unknown>) => MemberCreate.safeParse({ ...head, ...m });
    expect(member({ birthYear: thisYear - 120 }).success).toBe(true);
    expect(paths(member({ birthYear: thisYear - 121 }))).toContain('birthYear');
    expect(paths(member({ birthYear: thisYear + 1 }))).toContain('birthYear');
    expect(paths(member({ birthYear: undefined }))).toContain('birthYear');
    expect(paths(member({ birthYear: 1990, birthDate: '1991-01-01' }))).toContain('birthYear');
    expect(paths(member({ birthYear: undefined, birthDate: `${thisYear + 1}-01-01` }))).toContain('birthDate');
  });
  it('names the site or the host community of the current location', () => {
    expect(paths(HouseholdCreate.safeParse(body({ current: { province: 'KH17' } })))).toContain('current.site');
    expect(HouseholdCreate.safeParse(body({ current: { province: 'KH17', hostCommunity: 'Kralanh' } })).success).toBe(true);
  });
  it('finds places outside the registering country (whether a code exists is the gazetteer check)', () => {
    expect(placeProblems({ origin: { province: 'KH22' }, current: { province: 'KH12' }, destination: { province: 'KH22', adm2: 'KH2203' } }, 'KH')).toEqual([]);
    expect(placeProblems({ origin: { province: 'TH34' }, current: { province: 'KH17', adm3: 'TH340101' }, destination: { province: 'KH99' } }, 'KH')).toEqual([
      { path: 'origin.province', message: 'TH34 is not a known province of KH' },
      { path: 'current.adm3', message: 'TH340101 is not a place of KH' },
    ]);
  });
});

describe('identity documents', () => {
  it('normalises numbers so that case, spaces, dashes and slashes do not make another document', () => {
    expect(normaliseDocumentNumber('0102-03040')).toBe('010203040');
    expect(normaliseDocumentNumber(' ab 12/34 ')).toBe('AB1234');
    expect(normaliseDocumentNumber('ｋｈ１２３４')).toBe('KH1234');
  });
  it('stores a member’s document as its type and last four characters only', () => {
    const stored = storedMember(MemberCreate.parse(head));
    expect(stored.document).toEqual({ type: 'NATIONAL_ID', last4: '3040' });
    expect(JSON.stringify(stored)).not.toContain('0102');
  });
});

describe('document hashing', () => {
  it('is a keyed hex HMAC-SHA256 of country and normalised number, the same whatever the document type', async () => {
    const hash = await hashDocument('KH', '0102-03040');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashDocument('KH', ' 010203040 ')).toBe(hash);
    expect(await hashDocument('TH', '010203040')).not.toBe(hash);
    expect(await hashDocument('KH', '010203041')).not.toBe(hash);
    // The keys claims were made under while the type was part of the hash: one per type, none the current one.
    const legacy = await legacyDocumentHashes('KH', '010203040');
    expect(legacy).toHaveLength(DOCUMENT_TYPES.length);
    expect(new Set(legacy).size).toBe(DOCUMENT_TYPES.length);
    expect(legacy).not.toContain(hash);
    // Keyed: not the plain SHA-256 that anyone could compute by trying every number.
    const { createHash } = await import('node:crypto');
    expect(hash).not.toBe(createHash('sha256').update('doc:KH:010203040').digest('hex'));
  });
});

describe('household lifecycle table', () => {
  it('lets registrars (relief, admin) make every move and nobody else any', () => {
    for (const from of HOUSEHOLD_STATUSES) {
      for (const role of ROLES) {
        const moves = allowedHouseholdMoves(from, role);
        if (role === 'relief' || role === 'admin') expect(moves).toEqual(Object.keys(HOUSEHOLD_TRANSITIONS[from]));
        else expect(moves).toEqual([]);
      }
    }
  });
  it('follows DISPLACED → INTENDS_RETURN → RETURN_BLOCKED → RETURNED → REDISPLACED, with reasons where people go back', () => {
    expect(allowedHouseholdMoves('DISPLACED', 'relief').sort()).toEqual(['INTENDS_RETURN', 'RETURNED']);
    expect(allowedHouseholdMoves('RETURNED', 'relief')).toEqual(['REDISPLACED']);
    expect(HOUSEHOLD_TRANSITIONS.RETURNED.REDISPLACED?.reasonRequired).toBe(true);
    expect(HOUSEHOLD_TRANSITIONS.INTENDS_RETURN.DISPLACED?.reasonRequired).toBe(true);
    expect(HOUSEHOLD_TRANSITIONS.DISPLACED.REDISPLACED).toBeUndefined();
  });
  it('requires blockedReason for a blocked return, and only then', () => {
    expect(paths(HouseholdTransition.safeParse({ to: 'RETURN_BLOCKED' }))).toEqual(['blockedReason']);
    expect(HouseholdTransition.safeParse({ to: 'RETURN_BLOCKED', blockedReason: 'HAZARD' }).success).toBe(true);
    expect(paths(HouseholdTransition.safeParse({ to: 'RETURNED', blockedReason: 'HAZARD' }))).toEqual(['blockedReason']);
  });
  it('refuses an empty PATCH', () => {
    expect(HouseholdPatch.safeParse({}).success).toBe(false);
    expect(HouseholdPatch.safeParse({ contact: null }).success).toBe(true);
  });
});

describe('household scope', () => {
  const h = { country: 'KH' as const, org: 'NGO-A' };
  it('shows a household to its agency, its country’s ministry and admins only', () => {
    expect(canSeeHousehold({ role: 'relief', country: 'KH', org: 'NGO-A' }, h)).toBe(true);
    expect(canSeeHousehold({ role: 'relief', country: 'KH', org: 'NGO-B' }, h)).toBe(false);
    expect(canSeeHousehold({ role: 'relief', country: 'TH', org: 'NGO-A' }, h)).toBe(false);
    expect(canSeeHousehold({ role: 'ministry', country: 'KH', org: 'MoSVY' }, h)).toBe(true);
    expect(canSeeHousehold({ role: 'ministry', country: 'TH', org: 'MSDHS' }, h)).toBe(false);
    expect(canSeeHousehold({ role: 'admin', org: 'platform' }, h)).toBe(true);
    for (const role of ['observer', 'operations', 'deminer', 'qa'] as const) expect(canSeeHousehold({ role, country: 'KH', org: 'NGO-A' }, h)).toBe(false);
  });
  it('opens the access log to admins and the household’s ministry only', () => {
    expect(canReadAccessLog({ role: 'admin' }, h)).toBe(true);
    expect(canReadAccessLog({ role: 'ministry', country: 'KH' }, h)).toBe(true);
    expect(canReadAccessLog({ role: 'ministry', country: 'TH' }, h)).toBe(false);
    expect(canReadAccessLog({ role: 'relief', country: 'KH' }, h)).toBe(false);
  });
});

describe('summaries and age bands', () => {
  it('summarises a household without personal data', () => {
    const household: Household = {
      id: '01J00000000000000000000000',
      version: 3,
      createdAt: '2026-01-15T00:00:00.000Z',
      updatedAt: '2026-01-16T00:00:00.000Z',
      createdBy: 'u',
      country: 'KH',
      org: 'NGO-A',
      status: 'RETURN_BLOCKED',
      blockedReason: 'HAZARD',
      statusChangedAt: '2026-01-16T00:00:00.000Z',
      origin: { province: 'KH22', village: 'O Smach' },
      current: { province: 'KH17', site: 'Pagoda camp 4' },
      destination: { province: 'KH22' },
      members: [storedMember(MemberCreate.parse(head))],
      contact: { phone: '+855 12 345 678' },
      consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
      returnSafety: { status: 'UNKNOWN', hazardAreaIds: [], checkedAt: '2026-01-15T00:00:00.000Z' },
    };
    const summary = summarise(household);
    expect(summary).toMatchObject({ originProvince: 'KH22', currentProvince: 'KH17', destinationProvince: 'KH22', memberCount: 1, blockedReason: 'HAZARD' });
    const text = JSON.stringify(summary);
    for (const personal of ['Sokha', 'Chan', '345', 'O Smach', 'Pagoda', '3040', '1986']) expect(text).not.toContain(personal);
  });
  it('puts ages in the humanitarian bands', () => {
    expect([0, 4, 5, 11, 12, 17, 18, 59, 60, 99].map((age) => ageBand(2026 - age, 2026))).toEqual([
      '0-4',
      '0-4',
      '5-11',
      '5-11',
      '12-17',
      '12-17',
      '18-59',
      '18-59',
      '60+',
      '60+',
    ]);
  });
});
