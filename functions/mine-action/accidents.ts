import * as z from 'zod/mini';
import {
  AccidentCreate,
  AccidentPatch,
  AccidentSchema,
  canReadVictimData,
  canRecordAccident,
  casualtyCounters,
  roundedPoint,
  splitVictims,
  totalsOf,
  withVictimData,
  type Accident,
} from '#shared/domain/accident.ts';
import { Country, IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import type { Point } from '#shared/domain/geometry.ts';
import { areaSqm } from '#shared/domain/geometry.ts';
import type { HazardArea } from '#shared/domain/hazard-area.ts';
import { historyEntry } from '#shared/domain/history.ts';
import { newId } from '#shared/domain/ids.ts';
import { monthOf } from '#shared/domain/monthly.ts';
import { accidentCounter, ACCIDENT_RADIUS_M, MAX_ACCIDENT_AREAS } from '#shared/domain/priorities.ts';
import { isProvinceOf } from '#shared/domain/provinces.ts';
import { DEMINING_READERS, type Principal } from '#shared/domain/roles.ts';
import { accidentWrite, getAccident, getVictimData, listAccidents, victimDataWrite, type AccidentListing } from '#shared/db/repositories/accidents.ts';
import { getHazardArea, hazardHistoryWrite, hazardWrite } from '#shared/db/repositories/hazard-areas.ts';
import { accidentDemandWrites, hazardDemandWrites } from '#shared/db/repositories/priorities.ts';
import { hazardCellWrites, hazardsNear, recomputeAfterHazardChange } from '#shared/db/repositories/return-safety.ts';
import { moved, statsWrites, type StatsChange } from '#shared/db/repositories/stats.ts';
import { monthlyStatsWrites } from '#shared/db/repositories/monthly-stats.ts';
import { accidentMonthlyChanges } from '#shared/domain/monthly.ts';
import { transact, type GuardedWrite } from '#shared/db/transact.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, Forbidden, NotFound, PreconditionFailed } from '#shared/http/problem.ts';
import { refuseUnknownPlaces } from '#shared/http/places.ts';

const TAG = 'Accidents';
const RECORDERS = ['operations', 'admin'] as const;
const Province = z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a province P-code such as KH22'));

/** Casualty counters live in the mine-action statistics items (`shared/db/repositories/stats.ts`) under `cas_`. */
export const CASUALTY_PREFIX = 'cas_';
const prefixed = (c: Record<string, number>) => Object.fromEntries(Object.entries(c).map(([k, v]) => [`${CASUALTY_PREFIX}${k}`, v]));
const casualtyChange = (a: Pick<Accident, 'country' | 'province' | 'victims' | 'device'>, sign: 1 | -1): StatsChange => ({
  country: a.country,
  province: a.province,
  counters: prefixed(casualtyCounters(a, sign)),
});

/** The accident as `principal` may read it: victims' names and contacts only for the recording country's operations and ministry, and admins. */
export async function accidentAsSeenBy(principal: Principal, accident: Accident): Promise<Accident> {
  return canReadVictimData(principal, accident) ? withVictimData(accident, await getVictimData(accident.id)) : accident;
}

async function mustGet(id: string): Promise<Accident> {
  const a = await getAccident(id);
  if (!a) throw new NotFound(`No accident ${id}.`);
  return a;
}

/** A suspected hazard area's polygon: a 32-sided ring of `radiusM` around the point (anticlockwise, closed). */
export function ringAround(point: Point, radiusM: number, sides = 32): HazardArea['geometry'] {
  const [lon, lat] = point.coordinates as [number, number];
  const dLat = radiusM / 110_574;
  const dLon = radiusM / (111_320 * Math.cos((lat * Math.PI) / 180));
  const ring = Array.from({ length: sides }, (_, k) => {
    const t = (2 * Math.PI * k) / sides;
    return [Number((lon + dLon * Math.cos(t)).toFixed(7)), Number((lat + dLat * Math.sin(t)).toFixed(7))];
  });
  return { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
}

/** What both ministries are told of an accident: no names, no breakdown by sex or age. */
function accidentFacts(a: Accident) {
  return {
    accidentId: a.id,
    country: a.country,
    province: a.province,
    ...(a.adm2 ? { adm2: a.adm2 } : {}),
    ...(a.adm3 ? { adm3: a.adm3 } : {}),
    occurredAt: a.occurredAt,
    point: roundedPoint(a.point),
    deviceCategory: a.device.category,
    killed: a.killed,
    injured: a.injured,
    ...(a.hazardAreaId ? { hazardAreaId: a.hazardAreaId } : {}),
    suspectedHazardAreaRecorded: a.createdSuspectedHazardArea === true,
  };
}

export function registerAccidents(api: Api): void {
  recordAccidentRoute(api);
  listAccidentsRoute(api);
  getAccidentRoute(api);
  updateAccidentRoute(api);
  eraseVictimDataRoute(api);
}

function recordAccidentRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/accidents',
      operationId: 'recordAccident',
      summary: 'Record an accident with explosive ordnance and its victims',
      description:
        'Operations users record accidents of their own country; admins of either. Name the recorded hazard area it happened in (`hazardAreaId`), ' +
        'or ask for a suspected one (`createSuspectedHazardArea: { radiusM }`, default 100 m): an SHA with evidence DIRECT is recorded around ' +
        'the point in the same transaction (its contamination is the device, `LEGACY` unless `period` says otherwise), so return safety reacts ' +
        'at once (households near it are reassessed in the same request). ' +
        `Victims' \`name\` and \`contact\` are personal data: kept apart, read only by operations and the ministry of the accident's country ` +
        `and admins, removed after the retention or by erasure. Both ministries receive \`AccidentReported\` (date, P-codes, the point rounded ` +
        `to 100 m, the device category, the totals killed and injured; no names, no breakdown). The casualty statistics and the priorities of ` +
        `hazard areas within ${ACCIDENT_RADIUS_M} m change in the same transaction. Accepts \`Idempotency-Key\`.`,
      tag: TAG,
      access: RECORDERS,
      body: AccidentCreate,
      idempotent: true,
      reread: async (_c, { principal }, id) => {
        const a = await accidentAsSeenBy(principal, await mustGet(id));
        return { body: a, version: a.version };
      },
      responses: { 201: { description: 'The accident', schema: AccidentSchema }, 409: problem },
    },
    async (c, { principal, body, idempotency }) => {
      if (!canRecordAccident(principal, body.country))
        throw new Forbidden(`A ${principal.role} of ${principal.country ?? 'no country'} may not record accidents of ${body.country}.`);
      await refuseUnknownPlaces(body.country, [{ path: 'body', place: body, border: true }], 'accident');
      const recordedArea = body.hazardAreaId ? await getHazardArea(body.hazardAreaId) : undefined;
      if (body.hazardAreaId && !recordedArea)
        throw new BadRequest('The hazard area does not exist.', [{ path: 'body.hazardAreaId', message: `no hazard area ${body.hazardAreaId}` }]);
      const now = new Date().toISOString();
      const id = newId();
      const month = monthOf(body.occurredAt);
      const { victims, personal } = splitVictims(body.victims);
      const near = (await hazardsNear(body.point, ACCIDENT_RADIUS_M)).slice(0, MAX_ACCIDENT_AREAS).map((h) => h.id);
      const writes: GuardedWrite[] = [];
      const stats: StatsChange[] = [];
      let sha: HazardArea | undefined;
      if (body.createSuspectedHazardArea) {
        const shaId = newId();
        const geometry = ringAround(body.point, body.createSuspectedHazardArea.radiusM);
        const sqm = areaSqm(geometry);
        sha = {
          id: shaId,
          reference: `HA-${body.country}-${now.slice(0, 4)}-${shaId.slice(-6)}`,
          version: 1,
          createdAt: now,
          updatedAt: now,
          createdBy: principal.sub,
          name: body.createSuspectedHazardArea.name ?? `Suspected area around accident ACC-${body.country}-${now.slice(0, 4)}-${id.slice(-6)}`,
          country: body.country,
          province: body.province,
          contested: false,
          classification: 'SHA',
          evidence: 'DIRECT',
          dateOfInformation: body.occurredAt.slice(0, 10),
          contamination: [
            { category: body.device.category, ...(body.device.model ? { model: body.device.model } : {}), period: body.createSuspectedHazardArea.period },
          ],
          geometry,
          areaSqm: sqm,
          remainingSqm: sqm,
          status: 'OPEN',
          statusChangedAt: now,
        };
        writes.push(
          hazardWrite(sha, 'new'),
          ...hazardCellWrites(sha),
          // The accident counts in the new area's priority from the start (its own month bucket).
          ...hazardDemandWrites(sha, { [accidentCounter(month)]: 1 }),
          hazardHistoryWrite(shaId, historyEntry(principal, now, 'CREATED', { to: 'OPEN', reason: `recorded with accident ${id}` })),
          outboxEvent(
            EventType.HazardAreaRecorded,
            { type: 'HazardArea', id: shaId },
            sha.country,
            principal,
            {
              hazardAreaId: shaId,
              country: sha.country,
              province: sha.province,
              classification: 'SHA',
              areaSqm: sqm,
              contested: false,
              categories: [body.device.category],
            },
            now,
          ).write,
        );
        stats.push({ country: sha.country, province: sha.province, counters: moved('hazards', null, 'OPEN') });
      }
      const { createSuspectedHazardArea: _ask, victims: _v, ...facts } = body;
      const accident: Accident = {
        ...facts,
        id,
        version: 1,
        createdAt: now,
        updatedAt: now,
        createdBy: principal.sub,
        reference: `ACC-${body.country}-${now.slice(0, 4)}-${id.slice(-6)}`,
        ...(sha ? { hazardAreaId: sha.id, createdSuspectedHazardArea: true } : {}),
        nearHazardAreaIds: [...(sha ? [sha.id] : []), ...near],
        victims,
        ...totalsOf(victims),
      };
      writes.push(
        accidentWrite(accident, 'new'),
        ...(personal.length > 0 ? [victimDataWrite(accident, personal)] : []),
        ...accidentDemandWrites(near, month, 1),
        outboxEvent(EventType.AccidentReported, { type: 'Accident', id }, accident.country, principal, accidentFacts(accident), now).write,
      );
      stats.push(casualtyChange(accident, 1));
      writes.push(...statsWrites(stats), ...monthlyStatsWrites(accidentMonthlyChanges(undefined, accident)));
      const answer = canReadVictimData(principal, accident) ? withVictimData(accident, personal) : accident;
      const created = await commitCreate(
        c,
        writes,
        { status: 201, id, body: answer, headers: { ETag: etagOf(1), Location: `/v1/accidents/${id}` } },
        idempotency,
      );
      // The households near the new area are reassessed now (ReturnSafetyChanged for each that changes).
      if (sha) await recomputeAfterHazardChange(sha.id, principal);
      return created;
    },
  );
}

function listAccidentsRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/accidents',
      operationId: 'listAccidents',
      summary: 'List accidents of a country or a province, newest first, optionally between two dates',
      description:
        'Name `province`, or `country` (national roles default to their own). `from` and `to` are dates (inclusive). Victims’ names and contacts ' +
        'only for the recording country’s operations and ministry, and admins.',
      tag: TAG,
      access: DEMINING_READERS,
      query: z.object({
        country: z.optional(Country),
        province: z.optional(Province),
        from: z.optional(z.iso.date()),
        to: z.optional(z.iso.date()),
        ...PageQuery,
      }),
      responses: { 200: { description: 'A page of accidents', schema: Page(AccidentSchema) } },
    },
    async (c, { principal, query }) => {
      if (query.from && query.to && query.from > query.to)
        throw new BadRequest('`from` is after `to`.', [{ path: 'query.from', message: 'must not be after to' }]);
      let listing: AccidentListing;
      if (query.province) {
        if (query.country && !isProvinceOf(query.province, query.country))
          throw new BadRequest('The province is not in that country.', [{ path: 'query.province', message: `not a province of ${query.country}` }]);
        listing = { by: 'province', province: query.province };
      } else {
        const country = query.country ?? principal.country;
        if (!country) throw new BadRequest('Name a country or a province.', [{ path: 'query.country', message: 'required without province' }]);
        listing = { by: 'country', country };
      }
      const page = await listAccidents(listing, { from: query.from, to: query.to }, { limit: query.limit, cursor: query.cursor });
      return c.json({ items: await Promise.all(page.items.map((a) => accidentAsSeenBy(principal, a))), next: page.next });
    },
  );
}

function getAccidentRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/accidents/{id}',
      operationId: 'getAccident',
      summary: 'Read an accident',
      description:
        'Victims’ names and contacts only for the recording country’s operations and ministry, and admins; everyone else reads the accident without them.',
      tag: TAG,
      access: DEMINING_READERS,
      params: IdParams,
      responses: { 200: { description: 'The accident; ETag carries its version', schema: AccidentSchema }, 404: problem },
    },
    async (c, { principal, params }) => {
      const a = await accidentAsSeenBy(principal, await mustGet(params.id));
      return c.json(a, 200, { ETag: etagOf(a.version) });
    },
  );
}

function updateAccidentRoute(api: Api): void {
  api.route(
    {
      method: 'patch',
      path: '/v1/accidents/{id}',
      operationId: 'updateAccident',
      summary: 'Correct an accident: date, device, activity, source, description, victims',
      description:
        'Operations users of the accident’s country and admins. `victims` replaces the list (names and contacts included: leave them out to remove ' +
        'them). The casualty statistics and, when the month changes, the priorities of the areas it counts in move in the same transaction. The ' +
        'point and the hazard area stay as recorded. When a fact the ministries were told changes (date, place codes, device, totals), both receive ' +
        '`AccidentCorrected` with the facts as they now stand and the names of those that changed.',
      tag: TAG,
      access: RECORDERS,
      params: IdParams,
      body: AccidentPatch,
      ifMatch: true,
      responses: { 200: { description: 'The accident after the change', schema: AccidentSchema }, 404: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const current = await mustGet(params.id);
      if (!canRecordAccident(principal, current.country))
        throw new Forbidden(`A ${principal.role} of ${principal.country ?? 'no country'} may not change accidents of ${current.country}.`);
      if (current.version !== expectedVersion)
        throw new PreconditionFailed(
          `The accident is at version ${current.version}, not ${expectedVersion}: read it again and reapply your change.`,
          current.version,
        );
      const now = new Date().toISOString();
      const { victims: given, description, ...facts } = body;
      const split = given ? splitVictims(given) : undefined;
      const updated: Accident = { ...current, ...facts, version: current.version + 1, updatedAt: now };
      if (description === null) delete updated.description;
      else if (description !== undefined) updated.description = description;
      if (split) Object.assign(updated, { victims: split.victims, ...totalsOf(split.victims) });
      const writes: GuardedWrite[] = [accidentWrite(updated, expectedVersion)];
      if (split) writes.push(victimDataWrite(updated, split.personal));
      const before = monthOf(current.occurredAt);
      const after = monthOf(updated.occurredAt);
      if (before !== after)
        writes.push(...accidentDemandWrites(current.nearHazardAreaIds, before, -1), ...accidentDemandWrites(current.nearHazardAreaIds, after, 1));
      writes.push(...statsWrites([casualtyChange(current, -1), casualtyChange(updated, 1)]));
      // The monthly report's bucket follows a corrected date, place or casualties.
      writes.push(...monthlyStatsWrites(accidentMonthlyChanges(current, updated)));
      // Both ministries hear of a correction of what they were told (not of names, which they never were).
      const [was, is] = [accidentFacts(current), accidentFacts(updated)];
      const changed = (Object.keys(is) as (keyof typeof is)[]).filter((k) => JSON.stringify(was[k]) !== JSON.stringify(is[k]));
      if (changed.length > 0)
        writes.push(
          outboxEvent(
            EventType.AccidentCorrected,
            { type: 'Accident', id: updated.id },
            updated.country,
            principal,
            { ...is, version: updated.version, changed },
            now,
          ).write,
        );
      await transact(writes);
      const seen = canReadVictimData(principal, updated) ? withVictimData(updated, split ? split.personal : await getVictimData(updated.id)) : updated;
      return c.json(seen, 200, { ETag: etagOf(updated.version) });
    },
  );
}

function eraseVictimDataRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/accidents/{id}/victim-data-erasure',
      operationId: 'eraseVictimData',
      summary: 'Erase the names and contacts of an accident’s victims',
      description:
        'Operations users of the accident’s country and admins. The names and contacts are deleted; the accident, its victims’ sex, age, outcome ' +
        'and type, and the statistics stay. `reason` is kept on the accident (staff text: name nobody in it).',
      tag: TAG,
      access: RECORDERS,
      params: IdParams,
      body: z.strictObject({ reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)) }),
      ifMatch: true,
      responses: { 200: { description: 'The accident after the erasure', schema: AccidentSchema }, 404: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const current = await mustGet(params.id);
      if (!canRecordAccident(principal, current.country))
        throw new Forbidden(`A ${principal.role} of ${principal.country ?? 'no country'} may not erase data of accidents of ${current.country}.`);
      if (current.version !== expectedVersion)
        throw new PreconditionFailed(`The accident is at version ${current.version}, not ${expectedVersion}: read it again.`, current.version);
      const now = new Date().toISOString();
      const updated: Accident = {
        ...current,
        victims: current.victims.map(({ name: _n, contact: _c, ...v }) => v),
        victimDataErasedAt: now,
        victimDataErasure: { reason: body.reason, by: { role: principal.role, org: principal.org } },
        version: current.version + 1,
        updatedAt: now,
      };
      await transact([accidentWrite(updated, expectedVersion), victimDataWrite(updated, [])]);
      return c.json(updated, 200, { ETag: etagOf(updated.version) });
    },
  );
}
