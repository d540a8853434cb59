import * as z from 'zod/mini';
import { IdParams } from '#shared/domain/common.ts';
import { assistedDestination } from '#shared/domain/erasure.ts';
import { historyEntry } from '#shared/domain/history.ts';
import { HouseholdSplitBody, splitMembers } from '#shared/domain/household-members.ts';
import { householdPlaces, placeProblems, type Household } from '#shared/domain/household.ts';
import { HouseholdSchema } from '#shared/domain/household-schema.ts';
import { newId } from '#shared/domain/ids.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { derivedItemWrites, documentMoveWrites, householdDocuments } from '#shared/db/repositories/household-members.ts';
import { blockingChangeWrites } from '#shared/db/repositories/duplicates.ts';
import { householdAccessWrite, householdCreateWrites, householdHistoryWrite, householdWrite } from '#shared/db/repositories/households.ts';
import { freeRegistrationCode, registrationCodeWrite } from '#shared/db/repositories/registration-codes.ts';
import { transact, type GuardedWrite } from '#shared/db/transact.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { etagOf } from '#shared/http/etag.ts';
import { refuseUnknownPlaces } from '#shared/http/places.ts';
import { BadRequest } from '#shared/http/problem.ts';
import { arrivalCheck, householdFlowWrites, householdsStatsWrites } from '#shared/db/repositories/household-figures.ts';
import { accessEntry, prefixed } from '../households/scope.ts';
import { assessReturnSafety, returnSafetyItems } from '#shared/db/repositories/return-safety.ts';
import { copyPut } from '#shared/db/repositories/versioned.ts';
import { householdToChange, nextVersion, placeOf, REGISTRARS } from './change.ts';

/** Checks the new household's places as a registration's (only those the body names). */
async function checkNewPlaces(household: Household, body: HouseholdSplitBody): Promise<GuardedWrite[]> {
  const named = { origin: household.origin, current: body.current ?? household.current, destination: body.destination };
  const problems = placeProblems(named, household.country).filter((p) => (body.current && p.path.startsWith('current')) || p.path.startsWith('destination'));
  if (problems.length) throw new BadRequest(`Every place of a household must be in ${household.country}.`, prefixed('body', problems));
  await refuseUnknownPlaces(household.country, householdPlaces({ current: body.current, destination: body.destination }, 'body', household), 'household');
  return body.current ? arrivalCheck(body.current, household.country, 'body.current', household.current.siteId) : [];
}

/**
 * The new household of a split: the members who leave (one of them the head), of the same
 * country, organisation, origin, status and consent as the household they leave, where the body
 * says it is and wants to go (by default where that household is and wants to go).
 */
async function newHouseholdOf(
  principal: Principal,
  from: Household,
  body: HouseholdSplitBody,
  id: string,
  members: Household['members'],
  now: string,
  date: string,
): Promise<Household> {
  const household: Household = {
    id,
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: principal.sub,
    country: from.country,
    org: from.org,
    status: from.status,
    ...(from.blockedReason ? { blockedReason: from.blockedReason } : {}),
    ...(from.statusReason ? { statusReason: from.statusReason } : {}),
    statusChangedAt: now,
    origin: from.origin,
    current: body.current ?? from.current,
    ...((body.destination ?? from.destination) ? { destination: body.destination ?? from.destination } : {}),
    members,
    consent: from.consent,
    returnSafety: from.returnSafety,
    ...(from.displacedSince ? { displacedSince: from.displacedSince } : {}),
    ...(body.current ? { currentSince: date } : from.currentSince ? { currentSince: from.currentSince } : {}),
    splitFrom: { householdId: from.id, at: now },
    code: await freeRegistrationCode(from.country),
  };
  household.returnSafety = await assessReturnSafety(assistedDestination(household), now);
  return household;
}

export function splitRoutes(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households/{id}/split',
      operationId: 'splitHousehold',
      summary: 'Form a new household from some of the members (a son marries, a family divides)',
      description:
        '`{ memberIds, head?, remainingHeadId?, current?, destination?, date? }`: the members named leave (departure reason SPLIT, linked to ' +
        'the new household) and form a new household of the same country, organisation, origin, status and consent, ' +
        'headed by `head` (one of them; default the first). When the head leaves, `remainingHeadId` names who heads the household that stays. ' +
        'The new household is where the body says (`current`, `destination`; by default where the household is and wants to go). ' +
        'Both are linked (`splitInto` on this one, `splitFrom` on the new one), the leaving members’ identity-document claims move with them, ' +
        'every statistics counter (and a site’s figures) follows, and both histories record it, in one transaction. ' +
        'A split is undone only by a new registration decision, never by deleting. The household’s `If-Match`; the answer is 201 with both households, ' +
        'the ETag of this one and the Location of the new one.',
      tag: 'Households',
      access: REGISTRARS,
      params: IdParams,
      body: HouseholdSplitBody,
      ifMatch: true,
      example: { memberIds: ['01JHX3S8Q6Y2W0E5V3R4N7M8K9-2'], current: { province: 'KH17', site: 'Pagoda camp 4' } },
      responses: {
        201: {
          description: 'The household that stays and the new one',
          schema: () => z.object({ household: HouseholdSchema(), newHousehold: HouseholdSchema() }),
        },
        404: problem,
        409: problem,
        410: problem,
      },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const household = await householdToChange(principal, params.id, expectedVersion);
      const now = new Date().toISOString();
      const date = body.date ?? now.slice(0, 10);
      const id = newId();
      const { remaining, moving } = splitMembers(nextVersion(household, now), body, id, now, date);
      const arrival = await checkNewPlaces(household, body);
      const created = await newHouseholdOf(principal, household, body, id, moving, now, date);
      const stays: Household = { ...remaining, splitInto: [...(household.splitInto ?? []), { householdId: id, at: now }] };
      const memberIds = moving.map((m) => m.id);
      const moved = documentMoveWrites(stays, created, await householdDocuments(household.id));
      await transact([
        householdWrite(stays, household.version),
        householdHistoryWrite(
          household.id,
          historyEntry(principal, now, 'SPLIT', { changes: { newHouseholdId: id, memberIds, date, memberCount: stays.members.length } }),
        ),
        ...householdCreateWrites(
          created,
          [],
          historyEntry(principal, now, 'CREATED', { to: created.status, changes: { splitFrom: household.id, memberIds, date } }),
        ),
        householdAccessWrite(accessEntry(principal, household.id, 'UPDATE', now)),
        householdAccessWrite(accessEntry(principal, id, 'UPDATE', now)),
        outboxEvent(
          EventType.HouseholdSplit,
          { type: 'Household', id: household.id },
          household.country,
          principal,
          {
            ...placeOf(household),
            newHouseholdId: id,
            memberCount: stays.members.length,
            newMemberCount: created.members.length,
            ...(created.current.siteId ? { toSiteId: created.current.siteId } : {}),
          },
          now,
        ).write,
        ...householdsStatsWrites([
          [household, stays],
          [undefined, created],
        ]),
        ...derivedItemWrites(household, stays),
        ...derivedItemWrites(undefined, created),
        ...(await blockingChangeWrites([
          [household, stays],
          [undefined, created],
        ])),
        // Only a new household somewhere else moved: it departs the site it was at and arrives at its own.
        ...(created.current.siteId !== household.current.siteId ? householdFlowWrites(household, created, date) : []),
        ...returnSafetyItems(created).map(copyPut),
        registrationCodeWrite(created.country, created.code!, id),
        ...arrival,
        ...moved,
      ]);
      return c.json({ household: stays, newHousehold: created }, 201, { ETag: etagOf(stays.version), Location: `/v1/households/${id}` });
    },
  );
}
