import * as z from 'zod/mini';
import { IdParams } from '#shared/domain/common.ts';
import {
  blankOut,
  canChangeConsent,
  canConfirmErasure,
  canExportHousehold,
  canRequestErasure,
  changedConsent,
  ConsentChange,
  ErasureCreate,
  ErasureRequestSchema,
  HouseholdTombstoneSchema,
  NOT_WITHDRAWABLE,
  personalValuesOf,
  assistedDestination,
  type ErasureActor,
  type HouseholdTombstone,
} from '#shared/domain/erasure.ts';
import { historyEntry } from '#shared/domain/history.ts';
import type { Household } from '#shared/domain/household.ts';
import { HouseholdSchema } from '#shared/domain/household-schema.ts';
import { safetyDiffers } from '#shared/domain/return-safety.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { HistoryEntry } from '#shared/domain/history.ts';
import { commitErasure, eraseAround, fullAccessLog, fullHistory } from '#shared/db/repositories/erasure.ts';
import { householdStatsWrites, leaveSiteWrites } from '#shared/db/repositories/household-figures.ts';
import { assessReturnSafety, recheckReturnSafety, returnSafetyChangeWrites } from '#shared/db/repositories/return-safety.ts';
import { allAssistance } from '#shared/db/repositories/assistance.ts';
import { getImportJob } from '#shared/db/repositories/household-imports.ts';
import { householdAccessWrite, householdHistoryWrite, householdWrite, recordHouseholdAccess } from '#shared/db/repositories/households.ts';
import { transact, type GuardedWrite } from '#shared/db/transact.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { etagOf } from '#shared/http/etag.ts';
import { logger } from '#shared/logger.ts';
import { Conflict, Forbidden, PreconditionFailed, PROBLEM_CONTENT_TYPE } from '#shared/http/problem.ts';
import { deleteUpload } from '../importer/uploads.ts';
import { accessEntry, erasedProblem, visibleHousehold } from './scope.ts';

/**
 * Data responsibility for one household (README "Data responsibility"): erasure (by an admin at
 * once, or asked for by the registering organisation and carried out when its ministry
 * confirms), consent changes, and the family's copy of everything held about it.
 */
const TAG = 'Households';

const actorAt = (p: Principal, at: string): ErasureActor => ({ role: p.role, org: p.org, at });

/**
 * Carries an erasure out (see `shared/db/repositories/erasure.ts`): the items around the
 * household, the uploaded file it was imported from, then the tombstone. Not while the import
 * that created it still runs: a resumed chunk would write the household again.
 */
async function carryOutErasure(household: Household, principal: Principal, requested: ErasureActor, reason: string): Promise<HouseholdTombstone> {
  if (household.importId) {
    const job = await getImportJob(household.importId);
    if (job && (job.status === 'UPLOADED' || job.status === 'PROCESSING')) {
      throw new Conflict(`Household ${household.id} comes from import ${household.importId}, which is still running: erase it once the import has finished.`);
    }
  }
  const values = personalValuesOf(household);
  const now = new Date().toISOString();
  const gone = erasedProblem(household.id, now);
  const around = await eraseAround(household, values, { status: 410, body: gone.toBody(), headers: { 'Content-Type': PROBLEM_CONTENT_TYPE } });
  if (household.importId) await deleteUpload(household.importId);
  const tombstone: HouseholdTombstone = {
    id: household.id,
    version: household.version + 1,
    country: household.country,
    org: household.org,
    status: 'ERASED',
    createdAt: household.createdAt,
    erasedAt: now,
    erasure: { requested, carriedOut: actorAt(principal, now), reason: blankOut(reason, values) },
  };
  await commitErasure(household, tombstone, principal, accessEntry(principal, household.id, 'ERASURE', now), leaveSiteWrites(household));
  logger.info('household erased', { householdId: household.id, country: household.country, ...around, upload: household.importId !== undefined });
  return tombstone;
}

/**
 * A consent change as the writes of one transaction: the household with its new consent, the
 * history and access entries, and — when consent to return assistance comes or goes — the
 * return-safety assessment, index items, counters and event that follow it.
 */
async function consentChange(
  household: Household,
  change: ConsentChange,
  principal: Principal,
  now: string,
): Promise<{ updated: Household; writes: GuardedWrite[]; assessedAgain: boolean }> {
  const updated: Household = { ...household, consent: changedConsent(household.consent, change), version: household.version + 1, updatedAt: now };
  const before = household.consent.purposes.includes('RETURN_ASSISTANCE');
  const after = updated.consent.purposes.includes('RETURN_ASSISTANCE');
  const writes: GuardedWrite[] = [
    householdWrite(updated, household.version),
    householdHistoryWrite(
      household.id,
      historyEntry(principal, now, 'CONSENT', { changes: { granted: change.grant ?? [], withdrawn: change.withdraw ?? [], date: change.date } }),
    ),
    householdAccessWrite(accessEntry(principal, household.id, 'CONSENT', now)),
  ];
  if (before === after) return { updated, writes, assessedAgain: false };
  updated.returnSafety = await assessReturnSafety(assistedDestination(updated), now);
  writes.push(...returnSafetyChangeWrites(household, updated), ...householdStatsWrites(household, updated));
  if (safetyDiffers(household.returnSafety, updated.returnSafety)) {
    writes.push(
      outboxEvent(
        EventType.ReturnSafetyChanged,
        { type: 'Household', id: household.id },
        household.country,
        principal,
        {
          householdId: household.id,
          country: household.country,
          province: household.origin.province,
          org: household.org,
          from: household.returnSafety.status,
          to: updated.returnSafety.status,
          hazardAreaIds: updated.returnSafety.hazardAreaIds,
        },
        now,
      ).write,
    );
  }
  return { updated, writes, assessedAgain: after };
}

export function erasureRoutes(api: Api): void {
  eraseHouseholdRoute(api);
  confirmHouseholdErasureRoute(api);
  changeHouseholdConsentRoute(api);
  exportHouseholdRoute(api);
}

function eraseHouseholdRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households/{id}/erasure',
      operationId: 'eraseHousehold',
      summary: 'Erase a household’s personal data (admin), or ask for it (the registering relief agency)',
      description:
        'An admin’s call erases at once and answers the tombstone. The registering organisation’s relief agency asks for it (202, `REQUESTED`); the ' +
        'ministry of the household’s country carries it out by confirming (`/erasure/confirmation`). ' +
        'Erasure removes the household’s personal data everywhere it is kept (record, document claims, history contents, return-safety index, idempotency ' +
        'copies, rejected import rows naming it, the uploaded file it came from) and leaves a tombstone (id, country, organisation, `ERASED`, when and by ' +
        'whom) so that statistics keep their counts. ' +
        'Personal values of the household in `reason` are blanked out. Emits `HouseholdErased` (ids only) to the household’s country.',
      tag: TAG,
      access: ['relief', 'admin'],
      params: IdParams,
      body: ErasureCreate,
      responses: {
        200: { description: 'Erased (admin): the tombstone', schema: HouseholdTombstoneSchema },
        202: { description: 'Asked for (relief): waiting for the ministry’s confirmation', schema: ErasureRequestSchema },
        404: problem,
        409: problem,
        410: problem,
        412: problem,
      },
    },
    async (c, { principal, params, body }) => {
      const household = await visibleHousehold(principal, params.id);
      if (!canRequestErasure(principal, household)) throw new Forbidden('Only the registering organisation or an admin asks for the erasure of a household.');
      const now = new Date().toISOString();
      if (principal.role === 'admin') {
        const tombstone = await carryOutErasure(household, principal, household.erasure?.requested ?? actorAt(principal, now), body.reason);
        return c.json(tombstone, 200);
      }
      if (household.erasure)
        throw new Conflict(
          `The erasure of household ${household.id} was asked for on ${household.erasure.requested.at} and waits for the ministry’s confirmation.`,
        );
      const request = { status: 'REQUESTED' as const, requested: actorAt(principal, now), reason: body.reason };
      const updated: Household = { ...household, erasure: request, version: household.version + 1, updatedAt: now };
      await transact([
        householdWrite(updated, household.version),
        householdHistoryWrite(household.id, historyEntry(principal, now, 'ERASURE_REQUESTED')),
        householdAccessWrite(accessEntry(principal, household.id, 'ERASURE', now)),
      ]);
      return c.json({ householdId: household.id, ...request }, 202, { ETag: etagOf(updated.version) });
    },
  );
}

function confirmHouseholdErasureRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households/{id}/erasure/confirmation',
      operationId: 'confirmHouseholdErasure',
      summary: 'Carry out an erasure the registering organisation asked for (the household’s ministry)',
      description:
        'The ministry of the household’s country (or an admin) confirms an erasure in state `REQUESTED`; it is carried out at once, as described under ' +
        '`eraseHousehold`. Without a request: 409.',
      tag: TAG,
      access: ['ministry', 'admin'],
      params: IdParams,
      responses: { 200: { description: 'Erased: the tombstone', schema: HouseholdTombstoneSchema }, 404: problem, 409: problem, 410: problem, 412: problem },
    },
    async (c, { principal, params }) => {
      const household = await visibleHousehold(principal, params.id);
      if (!canConfirmErasure(principal, household)) throw new Forbidden('Only the ministry of the household’s country or an admin confirms an erasure.');
      if (!household.erasure)
        throw new Conflict(
          `Nobody has asked for the erasure of household ${household.id}: the registering ` +
            `organisation asks first (POST /v1/households/${household.id}/erasure).`,
        );
      const tombstone = await carryOutErasure(household, principal, household.erasure.requested, household.erasure.reason);
      return c.json(tombstone, 200);
    },
  );
}

function changeHouseholdConsentRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households/{id}/consent',
      operationId: 'changeHouseholdConsent',
      summary: 'Grant or withdraw purposes of a household’s consent',
      description:
        'The registering relief agency and admins record what the family decided, as of `date`. Withdrawing a purpose stops the uses that depend on it at ' +
        'once: `RETURN_ASSISTANCE` — the return-safety checks of the destination, ' +
        'the return-safety index and the households-at-risk lists (the household’s safety becomes UNKNOWN). The anonymous statistics keep counting the ' +
        'household. ' +
        '`REGISTRATION` cannot be withdrawn here: withdrawing it is an erasure (409 pointing there).',
      tag: TAG,
      access: ['relief', 'admin'],
      params: IdParams,
      body: ConsentChange,
      ifMatch: true,
      responses: { 200: { description: 'The household with its consent as it is now', schema: HouseholdSchema }, 404: problem, 409: problem, 410: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const household = await visibleHousehold(principal, params.id);
      if (!canChangeConsent(principal, household)) throw new Forbidden('Only the registering organisation or an admin records a household’s consent.');
      if (household.version !== expectedVersion)
        throw new PreconditionFailed(
          `The household is at version ${household.version}, not ${expectedVersion}: read it again and reapply your change.`,
          household.version,
        );
      if (body.withdraw?.includes(NOT_WITHDRAWABLE)) {
        throw new Conflict(`Withdrawing consent to the registration itself means erasing the household: POST /v1/households/${household.id}/erasure.`);
      }
      const { updated, writes, assessedAgain } = await consentChange(household, body, principal, new Date().toISOString());
      await transact(writes);
      const current = assessedAgain ? ((await recheckReturnSafety([updated], principal)).get(updated.id) ?? updated) : updated;
      return c.json(current, 200, { ETag: etagOf(current.version) });
    },
  );
}

function exportHouseholdRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/households/{id}/export',
      operationId: 'exportHousehold',
      summary: 'Everything held about a household, as JSON, to hand to the family',
      description:
        'The registering organisation’s relief agency and admins: the record (personal data included), its whole history and access log. Recorded in the ' +
        'access log (`EXPORT`) before it is answered, like a read. ' +
        '`assistance` lists every record of assistance the household received, whichever organisation gave it.',
      tag: TAG,
      access: ['relief', 'admin'],
      params: IdParams,
      responses: {
        200: {
          description: 'The family’s copy',
          schema: () =>
            z.object({
              exportedAt: z.string(),
              household: HouseholdSchema(),
              history: z.array(HistoryEntry()),
              accessLog: z.array(
                z.object({
                  id: z.string(),
                  at: z.string(),
                  householdId: z.string(),
                  actor: z.object({ sub: z.string(), role: z.string(), org: z.string() }),
                  purpose: z.string(),
                }),
              ),
              assistance: z.array(z.unknown()),
            }),
        },
        404: problem,
        410: problem,
      },
    },
    async (c, { principal, params }) => {
      const household = await visibleHousehold(principal, params.id);
      if (!canExportHousehold(principal, household))
        throw new Forbidden('Only the registering organisation or an admin exports a household’s data for the family.');
      const now = new Date().toISOString();
      await recordHouseholdAccess(accessEntry(principal, household.id, 'EXPORT', now));
      const [history, accessLog, assistance] = await Promise.all([fullHistory(household.id), fullAccessLog(household.id), allAssistance(household.id)]);
      return c.json({ exportedAt: now, household, history, accessLog, assistance }, 200, {
        'Content-Disposition': `attachment; filename="household-${household.id}.json"`,
      });
    },
  );
}
