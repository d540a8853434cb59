import { Attestation, ClearedArea, Handover, QaDecision, type QaDecisionRecord } from '#shared/domain/cleared-area.ts';
import type { Country } from '#shared/domain/common.ts';
import { IdParams } from '#shared/domain/common.ts';
import { actorOf, historyEntry } from '#shared/domain/history.ts';
import type { Principal } from '#shared/domain/roles.ts';
import type { Task } from '#shared/domain/task.ts';
import { clearedAreaWrite } from '#shared/db/repositories/cleared-areas.ts';
import { getHazardArea, hazardHistoryWrite, hazardWrite } from '#shared/db/repositories/hazard-areas.ts';
import { recomputeAfterHazardChange } from '#shared/db/repositories/return-safety.ts';
import { moved, statsWrites, type StatsChange, statsPlace } from '#shared/db/repositories/stats.ts';
import { monthlyStatsWrites } from '#shared/db/repositories/monthly-stats.ts';
import { monthOf, releasedByOutcome } from '#shared/domain/monthly.ts';
import { getTask, taskHistoryWrite, taskWrites } from '#shared/db/repositories/tasks.ts';
import { transact, type GuardedWrite } from '#shared/db/transact.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { etagOf } from '#shared/http/etag.ts';
import { BadRequest, Conflict, Forbidden } from '#shared/http/problem.ts';
import { checkVersion } from '#shared/errors.ts';
import { hazardRace, landAfter, landOfHazard, releasedCounters, releaseOnHazard } from './release.ts';
import { asSeenBy, visibleReport } from './visibility.ts';

const place = (a: { country: 'KH' | 'TH'; province: string }) => ({ country: a.country, province: a.province });

/** The report changed between our read and our write (another country's decision): read it again and decide on what it is now. */
class ReportMoved extends Error {}

/**
 * The country a QA decision is for: a QA officer's own, which must be one the report needs; an
 * admin names it (or the report needs only one).
 */
function decidingCountry(p: Principal, area: ClearedArea, named: Country | undefined): Country {
  const required = area.requiredQaCountries;
  if (p.role === 'qa') {
    if (named && named !== p.country) throw new Forbidden(`QA of ${p.country} decide for ${p.country} only.`);
    if (!required.includes(p.country!)) {
      throw new Forbidden(`QA of ${p.country} may not decide on a ${required.length > 1 ? 'joint' : 'national'} report of ${required.join(' and ')}.`);
    }
    return p.country!;
  }
  const country = named ?? (required.length === 1 ? required[0] : undefined);
  if (!country)
    throw new BadRequest(`Name the country you decide for: this report needs the QA of ${required.join(' and ')}.`, [
      { path: 'body.country', message: 'required for an admin when both countries decide' },
    ]);
  if (!required.includes(country))
    throw new BadRequest(`This report needs no QA decision of ${country}.`, [{ path: 'body.country', message: `one of ${required.join(', ')}` }]);
  return country;
}

/** The report's status once `decisions` are in: rejected by any, accepted by all required, else still awaiting. */
export function qaStatusOf(required: readonly Country[], decisions: readonly Pick<QaDecisionRecord, 'country' | 'decision'>[]): ClearedArea['status'] {
  if (decisions.some((d) => d.decision === 'REJECTED')) return 'QA_REJECTED';
  return required.every((c) => decisions.some((d) => d.country === c && d.decision === 'ACCEPTED')) ? 'QA_ACCEPTED' : 'SUBMITTED';
}

/** The task back to IN_PROGRESS for rework, on QA's or the observers' word, out of the usual lifecycle. */
function reworkWrites(task: Task, principal: Principal, now: string, reason: string): { writes: GuardedWrite[]; stats: StatsChange[] } {
  const { openReportId: _o, acceptedReportId: _a, ...rest } = task;
  return {
    writes: [
      ...taskWrites({ ...rest, status: 'IN_PROGRESS', statusReason: reason, statusChangedAt: now, version: task.version + 1, updatedAt: now }, task.version),
      taskHistoryWrite(task.id, historyEntry(principal, now, 'TRANSITION', { from: task.status, to: 'IN_PROGRESS', reason })),
      outboxEvent(
        EventType.TaskStatusChanged,
        { type: 'Task', id: task.id },
        task.country,
        principal,
        { taskId: task.id, hazardAreaId: task.hazardAreaId, ...place(task), from: task.status, to: 'IN_PROGRESS', reason },
        now,
      ).write,
    ],
    stats: [{ ...statsPlace(task), counters: moved('tasks', task.status, 'IN_PROGRESS') }],
  };
}

/**
 * The writes of a report's land being released (every required country accepted) or taken back
 * (the observers refused to attest): the land item, the hazard area's remaining land, status and
 * counters. Reads the area's land as it is now.
 */
async function landChange(
  area: ClearedArea,
  change: 'release' | 'take-back',
  principal: Principal,
  now: string,
): Promise<{ writes: GuardedWrite[]; stats: StatsChange[]; remainingSqm: number }> {
  const hazard = (await getHazardArea(area.hazardAreaId))!;
  const { land, backfill } = await landOfHazard(hazard);
  const after = landAfter(land, area, change, now);
  const why =
    change === 'release' ? `land released by completion report ${area.id}` : `the release of completion report ${area.id} was not attested and is taken back`;
  const released = releaseOnHazard(hazard, after.land, principal, now, why);
  const sign = change === 'release' ? 1 : -1;
  // The monthly report counts released land in the month of the QA acceptance; a take-back subtracts it there.
  const acceptedAt = change === 'release' ? now : (area.qa?.decidedAt ?? now);
  const monthly = monthlyStatsWrites([{ ...place(area), month: monthOf(acceptedAt), counters: releasedByOutcome(area.parts, sign) }]);
  return {
    writes: [after.write, ...backfill, ...released.writes, ...monthly],
    stats: [...released.stats, { ...statsPlace(area), counters: releasedCounters(area, sign) }],
    remainingSqm: released.hazard.remainingSqm,
  };
}

export function registerReportDecisions(api: Api): void {
  decideQaRoute(api);
  attestReleaseRoute(api);
  handOverRoute(api);
}

function decideQaRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/cleared-areas/{id}/qa',
      operationId: 'decideQa',
      summary: 'Accept or reject a completion report for one country (QA)',
      description:
        "A joint task's report, or one on land `contested` when it was submitted, needs the decision of QA of both countries; any other report its own country's QA. Each country decides once, in its own slot: `If-Match` guards the report's content, so a decision of the other country in between is not a conflict. The report stays SUBMITTED until every required country decided; any rejection (naming nonconformities) makes it QA_REJECTED and sends the task back to IN_PROGRESS for rework; when all accept it is QA_ACCEPTED and its land is released: the hazard area's remaining land loses the report's parts, and an area with less than 1 m² left becomes CLOSED. An acceptance needs every find of the task that lay outside the hazard area reviewed first. An admin names the `country` it decides for.",
      tag: 'Cleared areas',
      access: ['qa', 'admin'],
      params: IdParams,
      body: QaDecision,
      ifMatch: true,
      responses: { 200: { description: 'The report with the decision', schema: ClearedArea }, 404: problem, 409: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      for (let attempt = 1; ; attempt++) {
        const area = await visibleReport(principal, params.id);
        const country = decidingCountry(principal, area, body.country);
        if (expectedVersion > area.version) checkVersion(area, expectedVersion, 'cleared area');
        if (area.status !== 'SUBMITTED') throw new Conflict(`This report was already decided (${area.status}).`, { currentStatus: area.status });
        if (area.qaDecisions.some((d) => d.country === country))
          throw new Conflict(`QA of ${country} already decided on this report.`, {
            qaDecisions: area.qaDecisions.map((d) => ({ country: d.country, decision: d.decision })),
          });
        // While SUBMITTED the content never changes: only other countries' decisions move the version.
        if (area.qaDecisions.length === 0) checkVersion(area, expectedVersion, 'cleared area');
        const task = (await getTask(area.taskId))!;
        if (body.decision === 'ACCEPTED' && (task.findsAwaitingReview ?? 0) > 0) {
          throw new Conflict(
            `${task.findsAwaitingReview} find(s) of task ${task.id} lay outside the hazard area and await QA review: review them before accepting the land.`,
            { findsAwaitingReview: task.findsAwaitingReview },
          );
        }
        const now = new Date().toISOString();
        const record: QaDecisionRecord = {
          country,
          decision: body.decision,
          nonconformities: body.nonconformities,
          ...(body.comment ? { comment: body.comment } : {}),
          decidedAt: now,
          decidedBy: actorOf(principal),
        };
        const qaDecisions = [...area.qaDecisions, record];
        const status = qaStatusOf(area.requiredQaCountries, qaDecisions);
        const final = status !== 'SUBMITTED';
        const nonconformities = qaDecisions.flatMap((d) => d.nonconformities);
        const decided: ClearedArea = {
          ...area,
          qaDecisions,
          status,
          ...(final
            ? {
                qa: {
                  decision: status === 'QA_ACCEPTED' ? 'ACCEPTED' : 'REJECTED',
                  nonconformities,
                  ...(body.comment ? { comment: body.comment } : {}),
                  decidedAt: now,
                  decidedBy: actorOf(principal),
                },
              }
            : {}),
          version: area.version + 1,
          updatedAt: now,
        };
        const writes: GuardedWrite[] = [{ ...clearedAreaWrite(decided, area.version), onConditionFailed: () => new ReportMoved() }];
        const stats: StatsChange[] = final ? [{ ...statsPlace(area), counters: moved('reports', 'SUBMITTED', status) }] : [];
        let remainingSqm: number | undefined;
        if (status === 'QA_ACCEPTED') {
          const { openReportId: _open, ...taskRest } = task;
          writes.push(...taskWrites({ ...taskRest, acceptedReportId: area.id, version: task.version + 1, updatedAt: now }, task.version));
          writes.push(taskHistoryWrite(task.id, historyEntry(principal, now, 'UPDATED', { changes: { completionReport: { accepted: area.id } } })));
          const change = await landChange(area, 'release', principal, now);
          writes.push(...change.writes);
          stats.push(...change.stats);
          remainingSqm = change.remainingSqm;
        } else if (status === 'QA_REJECTED') {
          const rejecting = qaDecisions.find((d) => d.decision === 'REJECTED')!;
          const rework = reworkWrites(
            task,
            principal,
            now,
            `QA of ${rejecting.country} rejected completion report ${area.id}: ${rejecting.nonconformities.map((n) => `${n.severity} ${n.type}`).join(', ')}`,
          );
          writes.push(...rework.writes, landAfter([], area, 'take-back', now).write);
          stats.push(...rework.stats);
        }
        writes.push(
          outboxEvent(
            EventType.ClearedAreaQaDecided,
            { type: 'ClearedArea', id: area.id },
            area.country,
            principal,
            {
              clearedAreaId: area.id,
              taskId: area.taskId,
              hazardAreaId: area.hazardAreaId,
              ...place(area),
              decidingCountry: country,
              decision: body.decision,
              nonconformities: body.nonconformities.length,
              status,
              ...(remainingSqm !== undefined ? { remainingSqm } : {}),
            },
            now,
          ).write,
        );
        try {
          await transact([...writes, ...statsWrites(stats)]);
        } catch (e: unknown) {
          if (e instanceof ReportMoved && attempt < 5) continue;
          if (e instanceof ReportMoved) throw new Conflict('The report changed at the same moment several times: send the decision again.');
          throw e;
        }
        if (status === 'QA_ACCEPTED') await recomputeAfterHazardChange(area.hazardAreaId, principal);
        return c.json(asSeenBy(principal, decided), 200, { ETag: etagOf(decided.version) });
      }
    },
  );
}

function attestReleaseRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/cleared-areas/{id}/attestation',
      operationId: 'attestRelease',
      summary: 'Attest, or refuse to attest, an accepted release (ASEAN Observer Team)',
      description:
        'Once per report, after the QA acceptances and before handover. A release of a joint task or contested land is handed over only with an ATTESTED ' +
        'attestation. NOT_ATTESTED takes the release back like a QA rejection: the land counts as contaminated again, the report becomes NOT_ATTESTED and ' +
        'the task returns to IN_PROGRESS for rework; a new report follows. The findings are a statement on the work, not on people: no names.',
      tag: 'Cleared areas',
      access: ['observer', 'admin'],
      params: IdParams,
      body: Attestation,
      ifMatch: true,
      responses: { 200: { description: 'The report with its attestation', schema: ClearedArea }, 404: problem, 409: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const area = await visibleReport(principal, params.id);
      checkVersion(area, expectedVersion, 'cleared area');
      if (area.attestation)
        throw new Conflict(`This release was already ${area.attestation.decision === 'ATTESTED' ? 'attested' : 'refused attestation'}.`, {
          attestation: area.attestation.decision,
        });
      if (area.status !== 'QA_ACCEPTED')
        throw new Conflict(`Only a release QA accepted and not yet handed over can be attested; this report is ${area.status}.`, {
          currentStatus: area.status,
        });
      const now = new Date().toISOString();
      const attested = body.decision === 'ATTESTED';
      const decided: ClearedArea = {
        ...area,
        attestation: { ...body, attestedAt: now, attestedBy: actorOf(principal) },
        ...(attested ? {} : { status: 'NOT_ATTESTED' as const }),
        version: area.version + 1,
        updatedAt: now,
      };
      const writes: GuardedWrite[] = [clearedAreaWrite(decided, expectedVersion)];
      const stats: StatsChange[] = [];
      let remainingSqm: number | undefined;
      if (!attested) {
        const task = (await getTask(area.taskId))!;
        const rework = reworkWrites(task, principal, now, `the ASEAN Observer Team did not attest completion report ${area.id}`);
        const change = await landChange(area, 'take-back', principal, now);
        writes.push(...rework.writes, ...change.writes);
        stats.push(...rework.stats, ...change.stats, { ...statsPlace(area), counters: moved('reports', 'QA_ACCEPTED', 'NOT_ATTESTED') });
        remainingSqm = change.remainingSqm;
      }
      writes.push(
        outboxEvent(
          EventType.ReleaseAttested,
          { type: 'ClearedArea', id: area.id },
          area.country,
          principal,
          {
            clearedAreaId: area.id,
            taskId: area.taskId,
            hazardAreaId: area.hazardAreaId,
            ...place(area),
            decision: body.decision,
            findings: body.findings,
            ...(remainingSqm !== undefined ? { remainingSqm } : {}),
          },
          now,
        ).write,
      );
      await transact([...writes, ...statsWrites(stats)]);
      if (!attested) await recomputeAfterHazardChange(area.hazardAreaId, principal);
      return c.json(asSeenBy(principal, decided), 200, { ETag: etagOf(decided.version) });
    },
  );
}

function handOverRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/cleared-areas/{id}/handover',
      operationId: 'handOver',
      summary: 'Record the handover of accepted land',
      description:
        'Certificate reference, date, the receiving community or land user, signatories (national authority, operator and community; an AOT observer may) ' +
        'and the residual-risk statement. Land of a joint task or contested area needs an ASEAN observer’s ATTESTED attestation first (deployment setting ' +
        '`requireObserverAttestation`), and the certificate names it. The hazard area becomes HANDED_OVER once nothing remains and all released land is ' +
        'handed over.',
      tag: 'Cleared areas',
      access: ['operations', 'admin'],
      params: IdParams,
      body: Handover,
      ifMatch: true,
      responses: { 200: { description: 'The report with its handover', schema: ClearedArea }, 404: problem, 409: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const area = await visibleReport(principal, params.id);
      checkVersion(area, expectedVersion, 'cleared area');
      if (area.status !== 'QA_ACCEPTED')
        throw new Conflict(`Only land QA accepted can be handed over; this report is ${area.status}.`, { currentStatus: area.status });
      if (area.attestationRequired && area.attestation?.decision !== 'ATTESTED') {
        throw new Conflict(
          'Land released by a joint task or on contested land is handed over only after an ' +
            'ASEAN observer attests the release (POST /v1/cleared-areas/{id}/attestation).',
          { attestationRequired: true },
        );
      }
      const hazard = (await getHazardArea(area.hazardAreaId))!;
      const now = new Date().toISOString();
      const attestation = area.attestation
        ? { decision: area.attestation.decision, attestedAt: area.attestation.attestedAt, attestedBy: area.attestation.attestedBy }
        : undefined;
      const handed: ClearedArea = {
        ...area,
        status: 'HANDED_OVER',
        handover: { ...body, ...(attestation ? { attestation } : {}), recordedAt: now, recordedBy: actorOf(principal) },
        version: area.version + 1,
        updatedAt: now,
      };
      const handedOverSqm = (hazard.handedOverSqm ?? 0) + area.areaSqm;
      const complete = hazard.status === 'CLOSED' && hazard.remainingSqm === 0 && handedOverSqm >= (hazard.releasedSqm ?? 0);
      const updatedHazard = {
        ...hazard,
        handedOverSqm,
        ...(complete ? { status: 'HANDED_OVER' as const, statusChangedAt: now } : {}),
        version: hazard.version + 1,
        updatedAt: now,
      };
      const stats: StatsChange[] = [{ ...statsPlace(area), counters: { ...moved('reports', 'QA_ACCEPTED', 'HANDED_OVER'), sqm_HANDED_OVER: area.areaSqm } }];
      const writes: GuardedWrite[] = [
        clearedAreaWrite(handed, expectedVersion),
        { ...hazardWrite(updatedHazard, hazard.version), onConditionFailed: hazardRace },
        outboxEvent(
          EventType.LandHandedOver,
          { type: 'ClearedArea', id: area.id },
          area.country,
          principal,
          {
            clearedAreaId: area.id,
            hazardAreaId: hazard.id,
            ...place(area),
            certificateRef: body.certificateRef,
            date: body.date,
            areaSqm: area.areaSqm,
            receivedByType: body.receivedBy.type,
            attested: attestation?.decision === 'ATTESTED',
          },
          now,
        ).write,
      ];
      if (complete) {
        const reason = `all released land handed over (certificate ${body.certificateRef})`;
        writes.push(
          hazardHistoryWrite(hazard.id, historyEntry(principal, now, 'TRANSITION', { from: 'CLOSED', to: 'HANDED_OVER', reason })),
          outboxEvent(
            EventType.HazardAreaStatusChanged,
            { type: 'HazardArea', id: hazard.id },
            hazard.country,
            principal,
            { hazardAreaId: hazard.id, ...place(hazard), from: 'CLOSED', to: 'HANDED_OVER', reason, date: body.date },
            now,
          ).write,
        );
        stats.push({ ...statsPlace(hazard), counters: moved('hazards', 'CLOSED', 'HANDED_OVER') });
      }
      await transact([...writes, ...statsWrites(stats)]);
      if (complete) await recomputeAfterHazardChange(hazard.id, principal);
      return c.json(asSeenBy(principal, handed), 200, { ETag: etagOf(handed.version) });
    },
  );
}
