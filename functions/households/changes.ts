import { IdParams } from '#shared/domain/common.ts';
import { historyEntry } from '#shared/domain/history.ts';
import {
  allowedHouseholdMoves,
  HOUSEHOLD_TRANSITIONS,
  HouseholdPatch,
  HouseholdTransition,
  householdPlaces,
  movementProblem,
  placeProblems,
  type Household,
} from '#shared/domain/household.ts';
import { assistedDestination } from '#shared/domain/erasure.ts';
import { HouseholdSchema } from '#shared/domain/household-schema.ts';
import { safetyDiffers } from '#shared/domain/return-safety.ts';
import { householdAccessWrite, householdHistoryWrite, householdWrite } from '#shared/db/repositories/households.ts';
import { transact, type GuardedWrite } from '#shared/db/transact.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { etagOf } from '#shared/http/etag.ts';
import { refuseUnknownPlaces } from '#shared/http/places.ts';
import { BadRequest, Conflict } from '#shared/http/problem.ts';
import { checkVersion } from '#shared/errors.ts';
import { arrivalCheck, assessSafety, flowWrites, recheckSafety, safetyChangeWrites, statsWrites } from './hooks.ts';
import { accessEntry, placeOf, prefixed, REGISTRARS, TAG, visibleHousehold } from './scope.ts';

/** Changes to a registered household: dated movements and updates of its destination, contact and intentions. */
export function householdChangeRoutes(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households/{id}/transitions',
      operationId: 'transitionHousehold',
      summary: 'Record a dated movement: a change of status, of place, or both',
      description:
        'DISPLACED → INTENDS_RETURN → RETURN_BLOCKED → RETURNED → REDISPLACED (README), or the present status with a new `current` place; dated by `effectiveDate` (default today). A move to RETURN_BLOCKED needs `blockedReason`; moves back to DISPLACED and to REDISPLACED need `reason`. ' +
        'The registering relief agency and admins move households. A refused move is a 409 listing the moves allowed from the current status. The answer returns personal data and is recorded in the access log.',
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
      const sameStatus = body.to === household.status;
      const move = sameStatus ? { roles: REGISTRARS as readonly string[], reasonRequired: false } : HOUSEHOLD_TRANSITIONS[household.status][body.to];
      if (!move?.roles.includes(principal.role)) {
        throw new Conflict(`A household cannot move from ${household.status} to ${body.to}${move ? ` by a ${principal.role}` : ''}.`, {
          currentStatus: household.status,
          allowedTransitions: allowedHouseholdMoves(household.status, principal.role),
        });
      }
      if (move.reasonRequired && !body.reason) throw new BadRequest(`Moving a household to ${body.to} needs a reason.`, [{ path: 'body.reason', message: 'required for this move' }]);
      const now = new Date().toISOString();
      const effectiveDate = body.effectiveDate ?? now.slice(0, 10);
      const refused = movementProblem(household, body, effectiveDate);
      if (refused) throw new BadRequest(`The movement is refused: ${refused.message}.`, [{ path: `body.${refused.path}`, message: refused.message }]);
      const places = body.current ? placeProblems({ origin: household.origin, current: body.current }, household.country).filter((p) => p.path.startsWith('current')) : [];
      if (places.length) throw new BadRequest(`Every place of a household must be in ${household.country}.`, prefixed('body', places));
      await refuseUnknownPlaces(household.country, householdPlaces({ current: body.current }, 'body', household), 'household');
      const arrival = body.current ? await arrivalCheck(body.current, household.country, 'body.current', household.current.siteId) : [];

      const updated: Household = { ...household, status: body.to, statusChangedAt: sameStatus ? household.statusChangedAt : now, version: household.version + 1, updatedAt: now, currentSince: effectiveDate };
      if (body.current) updated.current = body.current;
      const sites = { ...(household.current.siteId ? { fromSiteId: household.current.siteId } : {}), ...(updated.current.siteId ? { toSiteId: updated.current.siteId } : {}) };
      const subject = { type: 'Household', id: household.id };
      const movement = { ...placeOf(household), memberCount: household.members.length, effectiveDate, ...sites };
      if (body.blockedReason) updated.blockedReason = body.blockedReason;
      else delete updated.blockedReason;
      if (body.reason) updated.statusReason = body.reason;
      // A move of place alone keeps the reason of the status it stays in.
      else if (!sameStatus) delete updated.statusReason;
      await transact([
        householdWrite(updated, expectedVersion),
        householdHistoryWrite(household.id, historyEntry(principal, now, 'TRANSITION', {
          from: household.status,
          to: body.to,
          ...(body.reason ? { reason: body.reason } : {}),
          changes: {
            effectiveDate,
            ...(body.blockedReason ? { blockedReason: body.blockedReason } : {}),
            ...(body.current ? { current: { fromProvince: household.current.province, toProvince: updated.current.province, ...sites } } : {}),
          },
        })),
        (sameStatus
          ? outboxEvent(EventType.HouseholdMoved, subject, household.country, principal, { ...movement, status: body.to, fromProvince: household.current.province, toProvince: updated.current.province }, now)
          : outboxEvent(EventType.HouseholdStatusChanged, subject, household.country, principal, { ...movement, from: household.status, to: body.to, ...(body.blockedReason ? { blockedReason: body.blockedReason } : {}) }, now)
        ).write,
        householdAccessWrite(accessEntry(principal, household.id, 'TRANSITION', now)),
        ...statsWrites(household, updated),
        ...flowWrites(household, updated, effectiveDate),
        ...arrival,
      ]);
      return c.json(updated, 200, { ETag: etagOf(updated.version) });
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/v1/households/{id}',
      operationId: 'updateHousehold',
      summary: 'Change where a household wants to go, its contact or its return intentions',
      description:
        '`destination`, `contact`, `returnIntentions` and `riskEducation` (`{ receivedAt, sessionId? }`: the household was given explosive ordnance risk education); null removes each; a new destination is checked like at registration (sent unchanged it is not checked again, so codes a later gazetteer edition dropped stay). A new destination has its return safety assessed again. ' +
        'Where the household is now (`current`) changes only by a dated movement (`POST /v1/households/{id}/transitions`): a PATCH naming it is a 400 saying so. ' +
        'The registering relief agency and admins change households. The history names the fields changed, never their content; the answer returns personal data and is recorded in the access log.',
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
      const updated: Household = { ...household, version: household.version + 1, updatedAt: now };
      if (body.destination === null) delete updated.destination;
      else if (body.destination) updated.destination = body.destination;
      if (body.contact === null) delete updated.contact;
      else if (body.contact) updated.contact = body.contact;
      if (body.returnIntentions === null) delete updated.returnIntentions;
      else if (body.returnIntentions) updated.returnIntentions = body.returnIntentions;
      if (body.riskEducation === null) delete updated.riskEducation;
      else if (body.riskEducation) updated.riskEducation = body.riskEducation;
      const places = placeProblems({ origin: updated.origin, current: updated.current, destination: body.destination ?? undefined }, household.country).filter((p) => p.path.startsWith('destination'));
      if (places.length) throw new BadRequest(`Every place of a household must be in ${household.country}.`, prefixed('body', places));
      await refuseUnknownPlaces(household.country, householdPlaces({ destination: body.destination }, 'body', household), 'household');

      const fields = (Object.keys(body) as (keyof HouseholdPatch)[]).filter((k) => body[k] !== undefined);
      const changes: Record<string, unknown> = {};
      for (const f of fields) {
        if (f === 'contact' || f === 'returnIntentions') changes[f] = 'changed';
        else if (f === 'riskEducation') changes.riskEducation = { from: household.riskEducation?.receivedAt ?? null, to: updated.riskEducation?.receivedAt ?? null };
        else if (f === 'destination') changes[f] = { fromProvince: household[f]?.province ?? null, toProvince: updated[f]?.province ?? null };
      }
      const destinationChanged = JSON.stringify(household.destination ?? null) !== JSON.stringify(updated.destination ?? null);
      if (destinationChanged) updated.returnSafety = await assessSafety(assistedDestination(updated), now);
      const writes: GuardedWrite[] = [
        householdWrite(updated, expectedVersion),
        householdHistoryWrite(household.id, historyEntry(principal, now, 'UPDATED', { changes })),
        householdAccessWrite(accessEntry(principal, household.id, 'UPDATE', now)),
      ];
      const briefingChanged = Boolean(household.riskEducation) !== Boolean(updated.riskEducation);
      if (briefingChanged && !destinationChanged) writes.push(...safetyChangeWrites(household, updated));
      if (destinationChanged) {
        writes.push(...safetyChangeWrites(household, updated));
        // Always, even when the safety stays the same: the return-safety checks re-assess it from this event.
        writes.push(
          outboxEvent(EventType.HouseholdDestinationChanged, { type: 'Household', id: household.id }, household.country, principal, {
            ...placeOf(household),
            ...(household.destination ? { fromProvince: household.destination.province } : {}),
            ...(updated.destination ? { toProvince: updated.destination.province } : {}),
            returnSafety: updated.returnSafety.status,
          }, now).write,
        );
        const before = household.returnSafety;
        const after = updated.returnSafety;
        if (safetyDiffers(before, after)) {
          writes.push(
            outboxEvent(EventType.ReturnSafetyChanged, { type: 'Household', id: household.id }, household.country, principal, {
              ...placeOf(household),
              from: before.status,
              to: after.status,
              hazardAreaIds: after.hazardAreaIds,
            }, now).write,
          );
        }
      }
      writes.push(...statsWrites(household, updated));
      await transact(writes);
      const current = destinationChanged ? ((await recheckSafety(updated, principal)) ?? updated) : updated;
      return c.json(current, 200, { ETag: etagOf(current.version) });
    },
  );
}
