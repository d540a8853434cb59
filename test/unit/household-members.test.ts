import { describe, expect, it } from 'vitest';
import { derivedItemWrites, householdDerivedItems } from '../../shared/db/repositories/household-members.ts';
import { contributionOf } from '../../shared/domain/displacement-stats.ts';
import {
  addMember,
  changeHead,
  correctMember,
  departMember,
  hasOneHead,
  HeadChange,
  HouseholdSplitBody,
  MemberAdd,
  MemberDeparture,
  MemberPatch,
  splitMembers,
  verificationOf,
} from '../../shared/domain/household-members.ts';
import { positionalMemberId, withMemberIds, type Household, type Member } from '../../shared/domain/household.ts';
import { ConflictError, InvalidInput, NotFoundError } from '../../shared/errors.ts';

const year = new Date().getUTCFullYear();
const member = (id: string, relationship: Member['relationship'], over: Partial<Member> = {}): Member => ({
  id,
  givenName: 'Sokha',
  familyName: 'Chan',
  sex: 'F',
  birthYear: 1980,
  relationship,
  specificNeeds: [],
  ...over,
});
const household = (members: Member[], over: Partial<Household> = {}): Household => ({
  id: '01JHX3S8Q6Y2W0E5V3R4N7M8K9',
  version: 3,
  createdAt: '2026-01-15T00:00:00.000Z',
  updatedAt: '2026-01-15T00:00:00.000Z',
  createdBy: 'u',
  country: 'KH',
  org: 'DRC',
  status: 'DISPLACED',
  statusChangedAt: '2026-01-15T00:00:00.000Z',
  origin: { province: 'KH22' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  members,
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  returnSafety: { status: 'UNKNOWN', hazardAreaIds: [], checkedAt: '2026-01-15T00:00:00.000Z' },
  ...over,
});
const family = () => household([member('A', 'HEAD'), member('B', 'SPOUSE', { sex: 'M' }), member('C', 'CHILD', { birthYear: year - 3 })]);
const at = '2026-02-01T00:00:00.000Z';

describe('member changes (pure)', () => {
  it('a new member gets an id, is never HEAD, and a birth needs a year or a date', () => {
    expect(MemberAdd.safeParse({ givenName: 'B', familyName: 'C', sex: 'F', birthYear: year, relationship: 'HEAD', reason: 'BIRTH' }).success).toBe(false);
    expect(MemberAdd.safeParse({ givenName: 'B', familyName: 'C', sex: 'F', relationship: 'CHILD', reason: 'BIRTH' }).success).toBe(false);
    expect(MemberAdd.safeParse({ givenName: 'B', familyName: 'C', sex: 'F', birthYear: year, relationship: 'CHILD', reason: 'WEDDING' }).success).toBe(false);
    const body = MemberAdd.parse({ givenName: 'B', familyName: 'C', sex: 'F', birthDate: `${year}-01-01`, relationship: 'CHILD', reason: 'BIRTH' });
    const { household: after, member: added } = addMember(family(), body);
    expect(added.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(added.birthYear).toBe(year);
    expect(after.members.at(-1)).toEqual(added);
    expect(added).not.toHaveProperty('reason');
    expect(contributionOf(after).p_DISPLACED).toBe(4);
  });

  it('a correction replaces only the fields given, never makes or unmakes a head, and a birth date sets the year', () => {
    expect(MemberPatch.safeParse({}).success).toBe(false);
    expect(MemberPatch.safeParse({ relationship: 'HEAD' }).success).toBe(false);
    expect(MemberPatch.safeParse({ document: { type: 'PASSPORT', number: 'AB1234' } }).success).toBe(false);
    const { household: after, fields } = correctMember(family(), 'C', MemberPatch.parse({ birthDate: `${year - 5}-06-01`, specificNeeds: ['SP-PT'] }));
    expect(after.members[2]).toMatchObject({ id: 'C', birthYear: year - 5, birthDate: `${year - 5}-06-01`, specificNeeds: ['SP-PT'], givenName: 'Sokha' });
    expect(fields).toEqual(['birthDate', 'specificNeeds']);
    expect(() => correctMember(family(), 'A', MemberPatch.parse({ relationship: 'SPOUSE' }))).toThrow(ConflictError);
    expect(() => correctMember(family(), 'Z', MemberPatch.parse({ givenName: 'X' }))).toThrow(NotFoundError);
  });

  it('the head leaves only naming a member who stays; the last member never leaves', () => {
    const body = (b: MemberDeparture) => b;
    expect(() => departMember(family(), 'A', body({ reason: 'DECEASED', date: '2026-01-20' }), at)).toThrow(InvalidInput);
    expect(() => departMember(family(), 'A', body({ reason: 'DECEASED', date: '2026-01-20', newHeadId: 'A' }), at)).toThrow(InvalidInput);
    expect(() => departMember(family(), 'B', body({ reason: 'LEFT', date: '2026-01-20', newHeadId: 'C' }), at)).toThrow(InvalidInput);
    const { household: after, former } = departMember(family(), 'A', body({ reason: 'DECEASED', date: '2026-01-20', newHeadId: 'B' }), at);
    expect(after.members.map((m) => [m.id, m.relationship])).toEqual([
      ['B', 'HEAD'],
      ['C', 'CHILD'],
    ]);
    expect(former).toMatchObject({ id: 'A', relationship: 'HEAD', departure: { reason: 'DECEASED', date: '2026-01-20', recordedAt: at } });
    expect(after.formerMembers).toEqual([former]);
    expect(hasOneHead(after)).toBe(true);
    expect(() => departMember(household([member('A', 'HEAD')]), 'A', body({ reason: 'LEFT', date: '2026-01-20' }), at)).toThrow(ConflictError);
    expect(MemberDeparture.safeParse({ reason: 'LEFT', date: '2999-01-01' }).success).toBe(false);
  });

  it('moves the head role in one step, the former head taking the relationship given', () => {
    expect(HeadChange.safeParse({ memberId: 'B', formerHeadRelationship: 'HEAD' }).success).toBe(false);
    const { household: after, from } = changeHead(family(), { memberId: 'B', formerHeadRelationship: 'SPOUSE' });
    expect(from).toBe('A');
    expect(after.members.map((m) => m.relationship)).toEqual(['SPOUSE', 'HEAD', 'CHILD']);
    expect(() => changeHead(family(), { memberId: 'A' })).toThrow(ConflictError);
  });

  it('a split moves the members named, with a head among them, and leaves a head behind', () => {
    expect(HouseholdSplitBody.safeParse({ memberIds: ['B', 'B'] }).success).toBe(false);
    expect(
      HouseholdSplitBody.safeParse({
        memberIds: [positionalMemberId('01JHX3S8Q6Y2W0E5V3R4N7M8K9', 1)],
        head: positionalMemberId('01JHX3S8Q6Y2W0E5V3R4N7M8K9', 2),
      }).success,
    ).toBe(false);
    const { remaining, moving } = splitMembers(family(), { memberIds: ['B', 'C'], head: 'C' }, 'NEW', at, '2026-01-31');
    expect(moving.map((m) => [m.id, m.relationship])).toEqual([
      ['B', 'SPOUSE'],
      ['C', 'HEAD'],
    ]);
    expect(remaining.members.map((m) => m.id)).toEqual(['A']);
    expect(remaining.formerMembers?.map((m) => [m.id, m.departure.reason, m.departure.householdId, m.departure.date])).toEqual([
      ['B', 'SPLIT', 'NEW', '2026-01-31'],
      ['C', 'SPLIT', 'NEW', '2026-01-31'],
    ]);
    expect(() => splitMembers(family(), { memberIds: ['A', 'B', 'C'] }, 'NEW', at, '2026-01-31')).toThrow(ConflictError);
    expect(() => splitMembers(family(), { memberIds: ['A'] }, 'NEW', at, '2026-01-31')).toThrow(InvalidInput);
    const headLeaves = splitMembers(family(), { memberIds: ['A'], remainingHeadId: 'B' }, 'NEW', at, '2026-01-31');
    expect(headLeaves.remaining.members.map((m) => [m.id, m.relationship])).toEqual([
      ['B', 'HEAD'],
      ['C', 'CHILD'],
    ]);
    expect(headLeaves.moving.map((m) => [m.id, m.relationship])).toEqual([['A', 'HEAD']]);
    // People neither vanish nor double: the split households count what the one did.
    const before = contributionOf(family());
    const after = [contributionOf(remaining), contributionOf({ ...family(), members: moving })];
    expect(after.reduce((t, c) => t + (c.p_DISPLACED ?? 0), 0)).toBe(before.p_DISPLACED);
  });

  it('gives members without ids their positional id, the same on every read', () => {
    const legacy = household([
      { ...member('x', 'HEAD'), id: undefined as unknown as string },
      { ...member('y', 'CHILD'), id: undefined as unknown as string },
    ]);
    expect(withMemberIds(legacy).members.map((m) => m.id)).toEqual(['01JHX3S8Q6Y2W0E5V3R4N7M8K9-0', '01JHX3S8Q6Y2W0E5V3R4N7M8K9-1']);
    const withIds = family();
    expect(withMemberIds(withIds)).toBe(withIds);
  });
});

describe('verification', () => {
  it('is counted by status only when recorded, and keeps who recorded it', () => {
    const v = verificationOf({ status: 'NEEDS_REVIEW', method: 'PHONE' }, at, { sub: 's', role: 'relief', org: 'DRC' });
    expect(v).toEqual({ status: 'NEEDS_REVIEW', method: 'PHONE', recordedAt: at, recordedBy: { sub: 's', role: 'relief', org: 'DRC' } });
    expect(contributionOf(family())).not.toHaveProperty('hhver_UNVERIFIED');
    expect(contributionOf({ ...family(), verification: v }).hhver_NEEDS_REVIEW).toBe(1);
  });

  it('keeps the list link in step: deleted under the old status, put under the new', () => {
    const h = family();
    const verified = { ...h, verification: verificationOf({ status: 'VERIFIED' }, at, { sub: 's', role: 'relief', org: 'DRC' }) };
    expect(householdDerivedItems(h)).toEqual([]);
    expect(householdDerivedItems(verified)).toEqual([
      { pk: 'HHVER#KH#VERIFIED', sk: `ORG#DRC#HH#${h.id}`, entity: 'HouseholdVerificationLink', householdId: h.id },
    ]);
    const review = { ...h, verification: { ...verified.verification, status: 'NEEDS_REVIEW' as const } };
    const writes = derivedItemWrites(verified, review).map((w) => w.item);
    expect(writes.map((w) => (w.Delete ? ['Delete', w.Delete.Key?.pk] : ['Put', w.Put?.Item?.pk]))).toEqual([
      ['Delete', 'HHVER#KH#VERIFIED'],
      ['Put', 'HHVER#KH#NEEDS_REVIEW'],
    ]);
    expect(derivedItemWrites(h, h)).toEqual([]);
  });
});
