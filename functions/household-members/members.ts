import {
  addMember,
  changeHead,
  correctMember,
  departMember,
  HeadChange,
  MemberAdd,
  MemberDeparture,
  MemberParams,
  MemberPatch,
} from '#shared/domain/household-members.ts';
import type { Household } from '#shared/domain/household.ts';
import { HouseholdSchema } from '#shared/domain/household-schema.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { IdParams } from '#shared/domain/common.ts';
import { addedDocumentWrites } from '#shared/db/repositories/household-members.ts';
import { DocumentAlreadyClaimed } from '#shared/db/repositories/households.ts';
import { checkDocuments, claimRaceProblem } from '#shared/db/repositories/household-registration.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitHouseholdChange, householdToChange, nextVersion, placeOf, REGISTRARS } from './change.ts';

const TAG = 'Households';
const answer = {
  200: { description: 'The household after the change; ETag carries its new version', schema: HouseholdSchema },
  404: problem,
  409: problem,
  410: problem,
};

/** The HouseholdMembersChanged data of a change from `before` to `after`: ids and counts only. */
const membersChanged = (
  before: Household,
  after: Household,
  change: 'ADDED' | 'CORRECTED' | 'DEPARTED' | 'HEAD_CHANGED',
  memberId: string,
  reason?: string,
) => ({
  type: EventType.HouseholdMembersChanged,
  data: {
    ...placeOf(after),
    change,
    ...(reason ? { reasonCode: reason } : {}),
    memberId,
    memberCount: after.members.length,
    memberCountBefore: before.members.length,
  },
});

/** A member added with an identity document: its claim, refused like at registration when another household holds it. */
async function documentWrites(principal: Principal, household: Household, body: MemberAdd) {
  if (!body.document) return [];
  const { refs } = await checkDocuments(principal, household.country, { members: [body] });
  return refs.flatMap((ref) => addedDocumentWrites(household, { ...ref, memberIndex: household.members.length - 1 }));
}

export function memberRoutes(api: Api): void {
  addHouseholdMemberRoute(api);
  correctHouseholdMemberRoute(api);
  recordMemberDepartureRoute(api);
  changeHouseholdHeadRoute(api);
}

function addHouseholdMemberRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households/{id}/members',
      operationId: 'addHouseholdMember',
      summary: 'Add a member: a birth, an arrival',
      description:
        'A member as at registration (never HEAD: add, then move the role with POST /v1/households/{id}/head) with `reason` (BIRTH, ARRIVAL, ' +
        'OTHER) and `date` (default today). ' +
        'An identity document is checked and claimed as at registration (409 when another household holds it; one of another organisation is not named). ' +
        'The member gets a stable `id`. The household’s `If-Match`; history, access log, statistics counters and the HouseholdMembersChanged ' +
        'event in the same transaction.',
      tag: TAG,
      access: REGISTRARS,
      params: IdParams,
      body: MemberAdd,
      ifMatch: true,
      example: { givenName: 'Bopha', familyName: 'Chan', sex: 'F', birthDate: '2026-01-20', relationship: 'CHILD', reason: 'BIRTH' },
      responses: answer,
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const household = await householdToChange(principal, params.id, expectedVersion);
      const now = new Date().toISOString();
      const { household: added, member } = addMember(nextVersion(household, now), body);
      const date = body.date ?? now.slice(0, 10);
      try {
        await commitHouseholdChange(
          principal,
          household,
          added,
          { action: 'MEMBERS', to: 'ADDED', reason: body.reason, changes: { memberId: member.id, date, memberCount: added.members.length } },
          membersChanged(household, added, 'ADDED', member.id, body.reason),
          await documentWrites(principal, added, body),
        );
      } catch (e: unknown) {
        if (e instanceof DocumentAlreadyClaimed) throw await claimRaceProblem(principal, household.country, e);
        throw e;
      }
      return c.json(added, 200, { ETag: etagOf(added.version) });
    },
  );
}

function correctHouseholdMemberRoute(api: Api): void {
  api.route(
    {
      method: 'patch',
      path: '/v1/households/{id}/members/{memberId}',
      operationId: 'correctHouseholdMember',
      summary: 'Correct what was recorded of a member',
      description:
        'Names, sex, birth date or year, relationship (never to or from HEAD) and specific needs; the document is not corrected here. ' +
        'The history names the fields corrected, never their values. The household’s `If-Match`; counters follow in the same transaction.',
      tag: TAG,
      access: REGISTRARS,
      params: MemberParams,
      body: MemberPatch,
      ifMatch: true,
      responses: answer,
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const household = await householdToChange(principal, params.id, expectedVersion);
      const now = new Date().toISOString();
      const { household: corrected, fields } = correctMember(nextVersion(household, now), params.memberId, body);
      await commitHouseholdChange(
        principal,
        household,
        corrected,
        { action: 'MEMBERS', to: 'CORRECTED', changes: { memberId: params.memberId, fields } },
        membersChanged(household, corrected, 'CORRECTED', params.memberId),
      );
      return c.json(corrected, 200, { ETag: etagOf(corrected.version) });
    },
  );
}

function recordMemberDepartureRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households/{id}/members/{memberId}/departure',
      operationId: 'recordMemberDeparture',
      summary: 'Record that a member left: died, left, married out, split off',
      description:
        '`{ reason: DECEASED | LEFT | MARRIED_OUT | SPLIT | OTHER, date }`. The member moves to `formerMembers` and stops counting in the statistics. ' +
        'The head’s departure names the new head (`newHeadId`, a member who stays; 400 otherwise); the last member cannot leave (409). ' +
        'Members forming a household of their own leave by POST /v1/households/{id}/split. The household’s `If-Match`.',
      tag: TAG,
      access: REGISTRARS,
      params: MemberParams,
      body: MemberDeparture,
      ifMatch: true,
      example: { reason: 'DECEASED', date: '2026-02-03' },
      responses: answer,
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const household = await householdToChange(principal, params.id, expectedVersion);
      const now = new Date().toISOString();
      const { household: after } = departMember(nextVersion(household, now), params.memberId, body, now);
      await commitHouseholdChange(
        principal,
        household,
        after,
        {
          action: 'MEMBERS',
          to: 'DEPARTED',
          reason: body.reason,
          changes: { memberId: params.memberId, date: body.date, memberCount: after.members.length, ...(body.newHeadId ? { newHeadId: body.newHeadId } : {}) },
        },
        membersChanged(household, after, 'DEPARTED', params.memberId, body.reason),
      );
      return c.json(after, 200, { ETag: etagOf(after.version) });
    },
  );
}

function changeHouseholdHeadRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households/{id}/head',
      operationId: 'changeHouseholdHead',
      summary: 'Move the head role to another member',
      description:
        'In one request: `memberId` becomes HEAD and the former head becomes `formerHeadRelationship` (default OTHER_RELATIVE), so the household ' +
        'always has exactly one head. The household’s `If-Match`.',
      tag: TAG,
      access: REGISTRARS,
      params: IdParams,
      body: HeadChange,
      ifMatch: true,
      responses: answer,
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const household = await householdToChange(principal, params.id, expectedVersion);
      const now = new Date().toISOString();
      const { household: after, from } = changeHead(nextVersion(household, now), body);
      await commitHouseholdChange(
        principal,
        household,
        after,
        { action: 'MEMBERS', to: 'HEAD_CHANGED', changes: { from, to: body.memberId } },
        membersChanged(household, after, 'HEAD_CHANGED', body.memberId),
      );
      return c.json(after, 200, { ETag: etagOf(after.version) });
    },
  );
}
