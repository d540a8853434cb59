import * as z from 'zod/mini';
import {
  ADD_REASONS,
  birthChecks,
  CurrentLocation,
  DEPARTURE_REASONS,
  Destination,
  MAX_MEMBERS,
  memberFields,
  Relationship,
  SpecificNeedCode,
  storedMember,
  VerificationMethod,
  VerificationStatus,
  type FormerMember,
  type Household,
  type Member,
  type MemberCreate,
  type Verification,
} from './household.ts';
import { Id } from './common.ts';
import { ConflictError, type DomainError, InvalidInput, NotFoundError } from '../errors.ts';
import { borderToday } from './border-day.ts';

/**
 * Households over time, pure: the bodies of the member, head, split and verification changes and
 * what each does to a household. The routes (`functions/household-members`) read, authorise, call
 * these and write the result with its counters in one transaction.
 *
 * Rules every change keeps: exactly one member is `HEAD`; a household keeps at least one member
 * (the last one cannot leave: the household's status says where it went); departed members move
 * to `formerMembers` with why and when, so they stop counting and stay in the record.
 */

/** Dates recorded on the border are checked against its day (UTC+7), not the server's. */
const today = () => borderToday();
const pastDay = () => z.iso.date().check(z.refine((d) => d <= today(), 'must not be in the future'));

/** A member's id: a ULID, or `<household ULID>-<n>` for members of households registered before members had ids. */
export const MemberId = z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}(-\d{1,2})?$/, 'must be a member id'));
export const MemberParams = z.object({ id: Id, memberId: MemberId });

const NOT_HEAD = 'the head changes only by POST /v1/households/{id}/head';
const notHead = <T extends { relationship?: string | undefined }>() =>
  z.refine<T>((m) => m.relationship !== 'HEAD', { message: NOT_HEAD, path: ['relationship'] });

/** Body of `POST /v1/households/{id}/members`: a member as at registration, why they joined and when (default today). */
export const MemberAdd = z.strictObject({ ...memberFields, reason: z.enum(ADD_REASONS), date: z.optional(pastDay()) }).check(...birthChecks(true), notHead());
export type MemberAdd = z.infer<typeof MemberAdd>;

/** Body of `PATCH /v1/households/{id}/members/{memberId}`: corrections of what was recorded (not the document, not the head). */
export const MemberPatch = z
  .strictObject({
    givenName: z.optional(memberFields.givenName),
    familyName: z.optional(memberFields.familyName),
    sex: z.optional(memberFields.sex),
    birthDate: memberFields.birthDate,
    birthYear: memberFields.birthYear,
    relationship: z.optional(Relationship),
    specificNeeds: z.optional(
      z.array(SpecificNeedCode).check(
        z.maxLength(20),
        z.refine((c) => new Set(c).size === c.length, 'must not repeat a code'),
      ),
    ),
  })
  .check(
    z.refine((p) => Object.keys(p).length > 0, 'name at least one field to correct'),
    ...birthChecks(false),
    notHead(),
  );
export type MemberPatch = z.infer<typeof MemberPatch>;

/** Body of `POST /v1/households/{id}/members/{memberId}/departure`; the head's departure names the new head (`newHeadId`). */
export const MemberDeparture = z.strictObject({ reason: z.enum(DEPARTURE_REASONS), date: pastDay(), newHeadId: z.optional(MemberId) });
export type MemberDeparture = z.infer<typeof MemberDeparture>;

/** Body of `POST /v1/households/{id}/head`: who heads the household now, and what the former head is to them (default OTHER_RELATIVE). */
export const HeadChange = z
  .strictObject({ memberId: MemberId, formerHeadRelationship: z.optional(Relationship) })
  .check(z.refine((b) => b.formerHeadRelationship !== 'HEAD', { message: 'the former head is no longer HEAD', path: ['formerHeadRelationship'] }));
export type HeadChange = z.infer<typeof HeadChange>;

/**
 * Body of `POST /v1/households/{id}/split`: the members who form a new household (`head` among
 * them, default the first), where it is and wants to go (default: where the household is, and
 * its destination), and, when the head leaves, who heads the household that stays (`remainingHeadId`).
 */
export const HouseholdSplitBody = z
  .strictObject({
    memberIds: z.array(MemberId).check(
      z.minLength(1, 'name the members who form the new household'),
      z.maxLength(MAX_MEMBERS),
      z.refine((ids) => new Set(ids).size === ids.length, 'must not repeat a member'),
    ),
    head: z.optional(MemberId),
    remainingHeadId: z.optional(MemberId),
    current: z.optional(CurrentLocation),
    destination: z.optional(Destination),
    date: z.optional(pastDay()),
  })
  .check(z.refine((b) => b.head === undefined || b.memberIds.includes(b.head), { message: 'the new head is one of memberIds', path: ['head'] }));
export type HouseholdSplitBody = z.infer<typeof HouseholdSplitBody>;

/** Body of `POST /v1/households/{id}/verification`. */
export const VerificationSet = z.strictObject({
  status: VerificationStatus,
  method: z.optional(VerificationMethod),
  date: z.optional(pastDay()),
  /** Who verified (a staff member or community leader), when not the one recording it. */
  by: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
});
export type VerificationSet = z.infer<typeof VerificationSet>;

/** A change refused for what the household is: a 400 naming the field, a 404 for an unknown member, a 409 for what the household's state forbids. */
function refused(message: string, path: string, status: 400 | 404 | 409 = 400): DomainError {
  if (status === 404) return new NotFoundError(message);
  if (status === 409) return new ConflictError(message, { field: path });
  return new InvalidInput(message, [{ path, message }]);
}

const headOf = (h: Pick<Household, 'members'>): Member => h.members.find((m) => m.relationship === 'HEAD')!;

const memberOf = (h: Pick<Household, 'members'>, memberId: string, path = 'memberId'): Member => {
  const m = h.members.find((x) => x.id === memberId);
  if (!m) throw refused(`No member ${memberId} in this household.`, path, path === 'memberId' ? 404 : 400);
  return m;
};

/** The household after adding a member (the document's claim is written by the caller). */
export function addMember(h: Household, body: MemberAdd, id?: string): { household: Household; member: Member } {
  if (h.members.length >= MAX_MEMBERS) throw refused(`A household has at most ${MAX_MEMBERS} members.`, 'body', 409);
  const { reason: _r, date: _d, ...fields } = body;
  const member = storedMember(fields as MemberCreate, id);
  return { household: { ...h, members: [...h.members, member] }, member };
}

/** The household after correcting a member: the fields given replace the recorded ones (a birth date sets the year). */
export function correctMember(h: Household, memberId: string, patch: MemberPatch): { household: Household; fields: string[] } {
  const before = memberOf(h, memberId);
  if (before.relationship === 'HEAD' && patch.relationship !== undefined)
    throw refused(`The head's relationship ${NOT_HEAD.slice(4)}.`, 'body.relationship', 409);
  const after: Member = { ...before, ...(patch as Partial<Member>) };
  if (patch.birthDate !== undefined) after.birthYear = Number(patch.birthDate.slice(0, 4));
  else if (patch.birthYear !== undefined && before.birthDate && Number(before.birthDate.slice(0, 4)) !== patch.birthYear) delete after.birthDate;
  return { household: { ...h, members: h.members.map((m) => (m.id === memberId ? after : m)) }, fields: Object.keys(patch).sort() };
}

/** Makes `memberId` the head; the former head becomes `formerHeadRelationship`. */
function withHead(members: Member[], memberId: string, formerHeadRelationship: Member['relationship'] = 'OTHER_RELATIVE'): Member[] {
  return members.map((m) =>
    m.id === memberId ? { ...m, relationship: 'HEAD' } : m.relationship === 'HEAD' ? { ...m, relationship: formerHeadRelationship } : m,
  );
}

/** The household after the head role moves to `body.memberId`. */
export function changeHead(h: Household, body: HeadChange): { household: Household; from: string } {
  const next = memberOf(h, body.memberId, 'body.memberId');
  const head = headOf(h);
  if (next.id === head.id) throw refused(`Member ${next.id} is already the head.`, 'body.memberId', 409);
  return { household: { ...h, members: withHead(h.members, next.id, body.formerHeadRelationship) }, from: head.id };
}

/** The household after a member leaves: moved to `formerMembers`; the head's departure hands the role to `newHeadId`. */
export function departMember(
  h: Household,
  memberId: string,
  body: MemberDeparture,
  recordedAt: string,
  householdId?: string,
): { household: Household; former: FormerMember } {
  const member = memberOf(h, memberId);
  if (h.members.length === 1)
    throw refused('The last member cannot leave: a household keeps at least one member (record where it went by a movement).', 'memberId', 409);
  let members = h.members;
  if (member.relationship === 'HEAD') {
    if (!body.newHeadId) throw refused('The head is leaving: name the new head (newHeadId), one of the members who stay.', 'body.newHeadId');
    if (body.newHeadId === memberId) throw refused('The new head is one of the members who stay.', 'body.newHeadId');
    memberOf(h, body.newHeadId, 'body.newHeadId');
    members = withHead(members, body.newHeadId);
  } else if (body.newHeadId) {
    throw refused('Only the head’s departure names a new head (POST /v1/households/{id}/head moves the role).', 'body.newHeadId');
  }
  const former: FormerMember = { ...member, departure: { reason: body.reason, date: body.date, recordedAt, ...(householdId ? { householdId } : {}) } };
  return { household: { ...h, members: members.filter((m) => m.id !== memberId), formerMembers: [...(h.formerMembers ?? []), former] }, former };
}

/**
 * A split, pure: the household that stays (the members leave with reason SPLIT and a link to the
 * new one) and the members of the new household (the `head` among them is HEAD; the others keep
 * their relationship, now to be read loosely). The caller builds the new household around them.
 */
export function splitMembers(
  h: Household,
  body: HouseholdSplitBody,
  newHouseholdId: string,
  at: string,
  date: string,
): { remaining: Household; moving: Member[] } {
  const moving = body.memberIds.map((id, i) => memberOf(h, id, `body.memberIds.${i}`));
  if (moving.length >= h.members.length) throw refused('A split leaves at least one member in the household.', 'body.memberIds', 409);
  let remaining: Household = h;
  const head = headOf(h);
  const headLeaves = body.memberIds.includes(head.id);
  if (headLeaves && !body.remainingHeadId)
    throw refused('The head is leaving: name who heads the household that stays (remainingHeadId).', 'body.remainingHeadId');
  if (!headLeaves && body.remainingHeadId) throw refused('The head stays: remainingHeadId is only for a split the head leaves with.', 'body.remainingHeadId');
  if (body.remainingHeadId) {
    if (body.memberIds.includes(body.remainingHeadId)) throw refused('remainingHeadId is one of the members who stay.', 'body.remainingHeadId');
    memberOf(h, body.remainingHeadId, 'body.remainingHeadId');
    remaining = { ...remaining, members: withHead(remaining.members, body.remainingHeadId) };
  }
  const newHead = body.head ?? body.memberIds[0]!;
  for (const id of body.memberIds)
    remaining = departMember(
      {
        ...remaining,
        members: remaining.members.map((m) => (m.id === id ? { ...m, relationship: m.relationship === 'HEAD' ? 'OTHER_RELATIVE' : m.relationship } : m)),
      },
      id,
      { reason: 'SPLIT', date },
      at,
      newHouseholdId,
    ).household;
  const movedHeadOf = (m: Member): Member =>
    m.id === newHead ? { ...m, relationship: 'HEAD' } : m.relationship === 'HEAD' ? { ...m, relationship: 'OTHER_RELATIVE' } : m;
  return { remaining, moving: moving.map(movedHeadOf) };
}

/** The verification as stored from a request. */
export const verificationOf = (body: VerificationSet, recordedAt: string, recordedBy: Verification['recordedBy']): Verification => ({
  status: body.status,
  ...(body.method ? { method: body.method } : {}),
  ...(body.date ? { date: body.date } : {}),
  ...(body.by ? { by: body.by } : {}),
  recordedAt,
  recordedBy,
});

/** Exactly one head: true for every household these changes produce (and asserted by the tests). */
export const hasOneHead = (h: Pick<Household, 'members'>): boolean => h.members.filter((m) => m.relationship === 'HEAD').length === 1;
