import { IdParams } from '#shared/domain/common.ts';
import { historyEntry } from '#shared/domain/history.ts';
import {
  allowedHouseholdMoves,
  HOUSEHOLD_TRANSITIONS,
  HouseholdPatch,
  HouseholdTransition,
  householdPlaces,
  movedHousehold,
  movementProblem,
  patchedHousehold,
  placeProblems,
  type Household,
} from '#shared/domain/household.ts';
import { assistedDestination } from '#shared/domain/erasure.ts';
import { HouseholdSchema } from '#shared/domain/household-schema.ts';
import { safetyDiffers } from '#shared/domain/return-safety.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { arrivalCheck, householdFlowWrites, householdStatsWrites } from '#shared/db/repositories/household-figures.ts';
import { assessReturnSafety, recheckReturnSafety, returnSafetyChangeWrites } from '#shared/db/repositories/return-safety.ts';
import { householdAccessWrite, householdHistoryWrite, householdWrite } from '#shared/db/repositories/households.ts';
import { transact, type GuardedWrite } from '#shared/db/transact.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { etagOf } from '#shared/http/etag.ts';
import { refuseUnknownPlaces } from '#shared/http/places.ts';
import { BadRequest, Conflict } from '#shared/http/problem.ts';
import { checkVersion } from '#shared/errors.ts';
import { accessEntry, placeOf, prefixed, REGISTRARS, TAG, visibleHousehold } from './scope.ts';

/** Changes to a registered household: dated movements and updates of its destination, contact and intentions. */
export function householdChangeRoutes(api: Api): void {
  transitionHouseholdRoute(api);
  updateHouseholdRoute(api);
}

function transitionHouseholdRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households/{id}/transitions',
      operationId: 'transitionHousehold',
      summary: 'Record a dated movement: a change of status, of place, or both',
      description:
        'DISPLACED → INTENDS_RETURN → RETURN_BLOCKED → RETURNED → REDISPLACED (README), or the present status with a new `current` place; dated by ' +
        '`effectiveDate` (default today). A move to RETURN_BLOCKED needs `blockedReason`; moves back to DISPLACED and to REDISPLACED need `reason`. ' +
        'The registering relief agency and admins move households. A refused move is a 409 listing the moves allowed from the current status. The answer ' +
        'returns personal data and is recorded in the access log.',
      tag: TAG,
      access: REGISTRARS,
      params: IdParams,
      body: HouseholdTransition,
      ifMatch: true,
      responses: { 200: { description: 'The household after the move', schema: HouseholdSchema }, 404: problem, 410: problem, 409: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const household = await visibleHousehold(principal, params.id);
      checkVersion(household, expectedVersion, 'household');
      refuseForbiddenMove(household, body, principal);
      const now = new Date().toISOString();
      const effectiveDate = body.effectiveDate ?? now.slice(0, 10);
      const refused = movementProblem(household, body, effectiveDate);
      if (refused) throw new BadRequest(`The movement is refused: ${refused.message}.`, [{ path: `body.${refused.path}`, message: refused.message }]);
      await refuseBadCurrent(household, body.current);
      const arrival = body.current ? await arrivalCheck(body.current, household.country, 'body.current', household.current.siteId) : [];
      const updated = movedHousehold(household, body, now, effectiveDate);
      await transact([...movementWrites(household, updated, body, principal, expectedVersion), ...arrival]);
      return c.json(updated, 200, { ETag: etagOf(updated.version) });
    },
  );
}

function updateHouseholdRoute(api: Api): void {
  api.route(
    {
      method: 'patch',
      path: '/v1/households/{id}',
      operationId: 'updateHousehold',
      summary: 'Change where a household wants to go, its contact or its return intentions',
      description:
        '`destination`, `contact`, `returnIntentions` and `riskEducation` (`{ receivedAt, sessionId? }`: the household was given explosive ordnance risk ' +
        'education); null removes each; a new destination is checked like at registration (sent unchanged it is not checked again, so codes a later ' +
        'gazetteer edition dropped stay). A new destination has its return safety assessed again. ' +
        'Where the household is now (`current`) changes only by a dated movement (`POST /v1/households/{id}/transitions`): a PATCH naming it is a 400 ' +
        'saying so. ' +
        'The registering relief agency and admins change households. The history names the fields changed, never their content; the answer returns ' +
        'personal data and is recorded in the access log.',
      tag: TAG,
      access: REGISTRARS,
      params: IdParams,
      body: HouseholdPatch,
      ifMatch: true,
      responses: { 200: { description: 'The updated household', schema: HouseholdSchema }, 404: problem, 410: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const household = await visibleHousehold(principal, params.id);
      checkVersion(household, expectedVersion, 'household');
      const now = new Date().toISOString();
      const updated = patchedHousehold(household, body, now);
      await refuseBadDestination(household, body.destination);
      const destinationChanged = JSON.stringify(household.destination ?? null) !== JSON.stringify(updated.destination ?? null);
      if (destinationChanged) updated.returnSafety = await assessReturnSafety(assistedDestination(updated), now);
      await transact(updateWrites(household, updated, body, principal, expectedVersion));
      const current = destinationChanged ? ((await recheckReturnSafety([updated], principal)).get(updated.id) ?? updated) : updated;
      return c.json(current, 200, { ETag: etagOf(current.version) });
    },
  );
}

/** Refuses a move the caller's role may not make from the present status (409 listing those it may), or one without its required reason. */
function refuseForbiddenMove(household: Household, body: HouseholdTransition, principal: Principal): void {
  const move =
    body.to === household.status ? { roles: REGISTRARS as readonly string[], reasonRequired: false } : HOUSEHOLD_TRANSITIONS[household.status][body.to];
  if (!move?.roles.includes(principal.role)) {
    throw new Conflict(`A household cannot move from ${household.status} to ${body.to}${move ? ` by a ${principal.role}` : ''}.`, {
      currentStatus: household.status,
      allowedTransitions: allowedHouseholdMoves(household.status, principal.role),
    });
  }
  if (move.reasonRequired && !body.reason)
    throw new BadRequest(`Moving a household to ${body.to} needs a reason.`, [{ path: 'body.reason', message: 'required for this move' }]);
}

/** Refuses a new current place outside the household's country or unknown to the gazetteer. */
async function refuseBadCurrent(household: Household, current: HouseholdTransition['current']): Promise<void> {
  const places = current ? placeProblems({ origin: household.origin, current }, household.country).filter((p) => p.path.startsWith('current')) : [];
  if (places.length) throw new BadRequest(`Every place of a household must be in ${household.country}.`, prefixed('body', places));
  await refuseUnknownPlaces(household.country, householdPlaces({ current }, 'body', household), 'household');
}

/** A movement's writes: the household, its history, `HouseholdMoved` or `HouseholdStatusChanged`, the access entry, counters and flows. */
function movementWrites(household: Household, updated: Household, body: HouseholdTransition, principal: Principal, expectedVersion: number): GuardedWrite[] {
  const now = updated.updatedAt;
  const effectiveDate = updated.currentSince!;
  const sites = {
    ...(household.current.siteId ? { fromSiteId: household.current.siteId } : {}),
    ...(updated.current.siteId ? { toSiteId: updated.current.siteId } : {}),
  };
  const subject = { type: 'Household', id: household.id };
  const movement = { ...placeOf(household), memberCount: household.members.length, effectiveDate, ...sites };
  return [
    householdWrite(updated, expectedVersion),
    householdHistoryWrite(
      household.id,
      historyEntry(principal, now, 'TRANSITION', {
        from: household.status,
        to: body.to,
        ...(body.reason ? { reason: body.reason } : {}),
        changes: {
          effectiveDate,
          ...(body.blockedReason ? { blockedReason: body.blockedReason } : {}),
          ...(body.current ? { current: { fromProvince: household.current.province, toProvince: updated.current.province, ...sites } } : {}),
        },
      }),
    ),
    (body.to === household.status
      ? outboxEvent(
          EventType.HouseholdMoved,
          subject,
          household.country,
          principal,
          { ...movement, status: body.to, fromProvince: household.current.province, toProvince: updated.current.province },
          now,
        )
      : outboxEvent(
          EventType.HouseholdStatusChanged,
          subject,
          household.country,
          principal,
          { ...movement, from: household.status, to: body.to, ...(body.blockedReason ? { blockedReason: body.blockedReason } : {}) },
          now,
        )
    ).write,
    householdAccessWrite(accessEntry(principal, household.id, 'TRANSITION', now)),
    ...householdStatsWrites(household, updated),
    ...householdFlowWrites(household, updated, effectiveDate),
  ];
}

/** Refuses a new destination outside the household's country or unknown to the gazetteer; one sent unchanged is not checked again. */
async function refuseBadDestination(household: Household, destination: HouseholdPatch['destination']): Promise<void> {
  const places = placeProblems({ origin: household.origin, current: household.current, destination: destination ?? undefined }, household.country).filter((p) =>
    p.path.startsWith('destination'),
  );
  if (places.length) throw new BadRequest(`Every place of a household must be in ${household.country}.`, prefixed('body', places));
  await refuseUnknownPlaces(household.country, householdPlaces({ destination }, 'body', household), 'household');
}

/** What the history of an update says changed: fields by name, provinces and dates, never the personal content. */
function changesOf(household: Household, updated: Household, body: HouseholdPatch): Record<string, unknown> {
  const fields = (Object.keys(body) as (keyof HouseholdPatch)[]).filter((k) => body[k] !== undefined);
  const changes: Record<string, unknown> = {};
  for (const f of fields) {
    if (f === 'contact' || f === 'returnIntentions') changes[f] = 'changed';
    else if (f === 'riskEducation')
      changes.riskEducation = { from: household.riskEducation?.receivedAt ?? null, to: updated.riskEducation?.receivedAt ?? null };
    else if (f === 'destination') changes[f] = { fromProvince: household[f]?.province ?? null, toProvince: updated[f]?.province ?? null };
  }
  return changes;
}

/**
 * An update's writes: the household, its history and access entry, the safety index when its
 * destination or its risk education changed, `HouseholdDestinationChanged` (and `ReturnSafetyChanged`
 * when the safety moved) for a new destination, and the counters.
 */
function updateWrites(household: Household, updated: Household, body: HouseholdPatch, principal: Principal, expectedVersion: number): GuardedWrite[] {
  const now = updated.updatedAt;
  const writes: GuardedWrite[] = [
    householdWrite(updated, expectedVersion),
    householdHistoryWrite(household.id, historyEntry(principal, now, 'UPDATED', { changes: changesOf(household, updated, body) })),
    householdAccessWrite(accessEntry(principal, household.id, 'UPDATE', now)),
  ];
  const destinationChanged = JSON.stringify(household.destination ?? null) !== JSON.stringify(updated.destination ?? null);
  const briefingChanged = Boolean(household.riskEducation) !== Boolean(updated.riskEducation);
  if (briefingChanged && !destinationChanged) writes.push(...returnSafetyChangeWrites(household, updated));
  if (destinationChanged) {
    writes.push(...returnSafetyChangeWrites(household, updated));
    // Always, even when the safety stays the same: the return-safety checks re-assess it from this event.
    writes.push(
      outboxEvent(
        EventType.HouseholdDestinationChanged,
        { type: 'Household', id: household.id },
        household.country,
        principal,
        {
          ...placeOf(household),
          ...(household.destination ? { fromProvince: household.destination.province } : {}),
          ...(updated.destination ? { toProvince: updated.destination.province } : {}),
          returnSafety: updated.returnSafety.status,
        },
        now,
      ).write,
    );
    const before = household.returnSafety;
    const after = updated.returnSafety;
    if (safetyDiffers(before, after)) {
      writes.push(
        outboxEvent(
          EventType.ReturnSafetyChanged,
          { type: 'Household', id: household.id },
          household.country,
          principal,
          {
            ...placeOf(household),
            from: before.status,
            to: after.status,
            hazardAreaIds: after.hazardAreaIds,
          },
          now,
        ).write,
      );
    }
  }
  writes.push(...householdStatsWrites(household, updated));
  return writes;
}
