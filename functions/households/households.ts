import * as z from 'zod/mini';
import { Country, IdParams, Page, PageQuery, named } from '#shared/domain/common.ts';
import { historyEntry } from '#shared/domain/history.ts';
import {
  allowedHouseholdMoves,
  canReadAccessLog,
  canSeeHousehold,
  DocumentType,
  HOUSEHOLD_TRANSITIONS,
  HouseholdCreate,
  HouseholdPatch,
  HouseholdStatus,
  HouseholdSummarySchema,
  HouseholdTransition,
  householdPlaces,
  movementProblem,
  placeProblems,
  storedMember,
  summarise,
  VerificationStatus,
  type Household,
} from '#shared/domain/household.ts';
import { HouseholdSchema } from '#shared/domain/household-schema.ts';
import { listHouseholdsByVerification } from '#shared/db/repositories/household-members.ts';
import { assistedDestination } from '#shared/domain/erasure.ts';
import { newId } from '#shared/domain/ids.ts';
import { isCountryProvince } from '#shared/domain/provinces.ts';
import { refuseUnknownPlaces } from '#shared/http/places.ts';
import { safetyDiffers } from '#shared/domain/return-safety.ts';
import { ROLES, type Principal } from '#shared/domain/roles.ts';
import { HistoryEntry } from '#shared/domain/history.ts';
import { documentHashes } from '#shared/db/document-hash.ts';
import {
  DocumentAlreadyClaimed,
  getHousehold,
  getHouseholds,
  householdAccessWrite,
  householdCreateWrites,
  householdHistoryWrite,
  householdIdsByDocument,
  householdWrite,
  listHouseholdAccess,
  listHouseholdHistory,
  listHouseholds,
  type HouseholdListing,
} from '#shared/db/repositories/households.ts';
import { transact, type GuardedWrite } from '#shared/db/transact.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { actingCountry } from '#shared/http/auth.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, Conflict, Forbidden, NotFound, type FieldError } from '#shared/http/problem.ts';
import { checkVersion } from '#shared/errors.ts';
import { getTombstone } from '#shared/db/repositories/erasure.ts';
import { freeRegistrationCode, registrationCodeWrite } from '#shared/db/repositories/registration-codes.ts';
import { checkDocuments, claimRaceProblem } from './duplicates.ts';
import { accessEntry, readHousehold, visibleHousehold } from './access.ts';
import { arrivalCheck, assessSafety, flowWrites, listBriefingDue, recheckSafety, safetyChangeWrites, safetyWrites, statsWrites } from './hooks.ts';
import { count, MetricName } from '#shared/metrics.ts';

const TAG = 'Households';
/** Roles that register and change households. */
const REGISTRARS = ['relief', 'admin'] as const;
/** Roles that list households and look documents up (each within its scope). */
const HOUSEHOLD_READERS = ['relief', 'ministry', 'admin'] as const;

const Province = z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a province P-code such as KH22'));

/** Body of `POST /v1/households/lookup`: the number travels in the body, never in a URL (URLs land in access logs). */
const DocumentLookup = z.strictObject({
  country: z.optional(Country),
  documentType: DocumentType,
  documentNumber: z.string().check(z.trim(), z.minLength(4), z.maxLength(40)),
});

const AccessEntrySchema = named('AccessEntry', () =>
  z.object({
    id: z.string(),
    at: z.iso.datetime(),
    householdId: z.string(),
    actor: z.object({ sub: z.string(), role: z.string(), org: z.string() }),
    purpose: z.enum(['READ', 'UPDATE', 'TRANSITION', 'EXPORT', 'CONSENT', 'ERASURE', 'DUPLICATE_REFUSED', 'DISTRIBUTION_LIST']),
    importId: z.optional(z.string()),
  }),
);

const placeOf = (h: Household) => ({ householdId: h.id, country: h.country, province: h.origin.province, org: h.org });

const prefixed = (where: string, problems: FieldError[]): FieldError[] => problems.map((p) => ({ path: `${where}.${p.path}`, message: p.message }));

/** `GET /v1/households?returnSafety=AT_RISK&riskEducation=none`: the caller's AT_RISK households without risk education. */
async function briefingDue(principal: Principal, query: { country?: Country | undefined; province?: string | undefined; status?: string | undefined; org?: string | undefined; returnSafety?: string | undefined; riskEducation?: string | undefined; limit: number; cursor?: string | undefined }) {
  if (!query.returnSafety || !query.riskEducation) throw new BadRequest('returnSafety and riskEducation are listed together: returnSafety=AT_RISK&riskEducation=none.', [{ path: `query.${query.returnSafety ? 'riskEducation' : 'returnSafety'}`, message: 'required with the other' }]);
  if (query.province || query.status) throw new BadRequest('The households to brief are listed by country and organisation only.', [{ path: `query.${query.province ? 'province' : 'status'}`, message: 'not with returnSafety and riskEducation' }]);
  const country = actingCountry(principal, query.country, 'query', 'list households');
  let org = query.org;
  if (principal.role === 'relief') {
    if (org && org !== principal.org) throw new Forbidden('A relief agency lists only its own organisation’s households.');
    org = principal.org;
  }
  return listBriefingDue(country, org, { limit: query.limit, cursor: query.cursor });
}

export function registerHouseholds(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households',
      operationId: 'registerHousehold',
      example: { origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' }, current: { province: 'KH17', site: 'Pagoda camp 4' }, destination: { province: 'KH22', village: 'O Smach', point: { type: 'Point', coordinates: [103.52, 14.42] } }, members: [{ givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1986, relationship: 'HEAD', specificNeeds: ['SP-PT'], document: { type: 'NATIONAL_ID', number: 'KH1000421234' } }, { givenName: 'Dara', familyName: 'Chan', sex: 'M', birthYear: 2012, relationship: 'CHILD', specificNeeds: [] }], contact: { phone: '+855 12 345 678' }, consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] } },
      summary: 'Register a displaced household',
      description:
        'A relief agency registers in its own country (naming the other is a 403); an admin names `country`. Origin, current location and destination are places of that country: any province (a family may shelter in Phnom Penh or Bangkok), and optionally `adm2`, `adm3` and (Cambodia) `adm4` P-codes from the gazetteer, checked against the edition in use and against each other (a commune not in the district given is a 400 naming both). ' +
        'Exactly one member is the head; consent must be given. Identity document numbers are stored only as a keyed hash and their last four characters, and never come back. ' +
        'A document is its number, whatever its type. One already registered to a household the caller may read is a 409 naming that household, unless `reviewedDuplicate.of` names it; one registered by another organisation is a 409 that names no household ' +
        '("registered by another organisation; ask your ministry": the ministry gives the id to send as `reviewedDuplicate.of` when the registration should stand), and the attempt is recorded in that household’s access log. ' +
        'A `reviewedDuplicate` whose `of` holds none of the documents changes nothing and is not kept. ' +
        'Return safety is assessed at once from the destination point. Accepts `Idempotency-Key`: a replay answers the household as it is now, read with the caller’s scope of now (and recorded as a read).',
      tag: TAG,
      access: REGISTRARS,
      body: HouseholdCreate,
      idempotent: true,
      reread: async (_c, { principal }, id) => {
        const household = await readHousehold(principal, id);
        return { body: household, version: household.version };
      },
      responses: { 201: { description: 'The household, DISPLACED (document numbers only as type and last four characters)', schema: HouseholdSchema }, 409: problem, 410: problem },
    },
    async (c, { principal, body, idempotency }) => {
      const country = actingCountry(principal, body.country, 'body', 'register households');
      const places = placeProblems(body, country);
      if (places.length) throw new BadRequest(`Every place of a household must be in ${country}.`, prefixed('body', places));
      await refuseUnknownPlaces(country, householdPlaces(body, 'body'), 'household');
      const atSite = await arrivalCheck(body.current, country, 'body.current');

      // Drawn while the documents are checked: one GetItem that the registration does not wait for.
      const codeDrawn = freeRegistrationCode(country);
      codeDrawn.catch(() => undefined);
      const { refs, reviewedDuplicate } = await checkDocuments(principal, country, body);

      const now = new Date().toISOString();
      const id = newId();
      const household: Household = {
        id,
        version: 1,
        createdAt: now,
        updatedAt: now,
        createdBy: principal.sub,
        country,
        org: principal.org,
        status: 'DISPLACED',
        statusChangedAt: now,
        origin: body.origin,
        current: body.current,
        ...(body.destination ? { destination: body.destination } : {}),
        members: body.members.map((m) => storedMember(m)),
        ...(body.contact ? { contact: body.contact } : {}),
        consent: body.consent,
        ...(reviewedDuplicate ? { reviewedDuplicate } : {}),
        returnSafety: await assessSafety(assistedDestination(body), now),
        ...(body.displacedSince ? { displacedSince: body.displacedSince, currentSince: body.displacedSince } : {}),
        ...(body.returnIntentions ? { returnIntentions: body.returnIntentions } : {}),
        code: await codeDrawn,
      };
      const registered = outboxEvent(EventType.HouseholdRegistered, { type: 'Household', id }, country, principal, {
        ...placeOf(household),
        status: household.status,
        memberCount: household.members.length,
        ...(household.destination ? { destinationProvince: household.destination.province } : {}),
        returnSafety: household.returnSafety.status,
      }, now);
      const writes: GuardedWrite[] = [
        ...householdCreateWrites(household, refs, historyEntry(principal, now, 'CREATED', { to: household.status })),
        registered.write,
        ...statsWrites(undefined, household),
        ...flowWrites(undefined, household, body.displacedSince ?? now.slice(0, 10)),
        ...atSite,
        ...safetyWrites(household),
        registrationCodeWrite(country, household.code!, id),
      ];
      const location = `/v1/households/${id}`;
      const response = { status: 201, id, body: household, headers: { ETag: etagOf(1), Location: location } };
      let created: Response;
      try {
        created = await commitCreate(c, writes, response, idempotency);
      } catch (e: unknown) {
        if (e instanceof DocumentAlreadyClaimed) throw await claimRaceProblem(principal, country, e);
        throw e;
      }
      count(MetricName.HouseholdsRegistered);
      // A hazard area recorded or closed while this request ran: answer the safety as it is now.
      // (A replay of the Idempotency-Key answers the household as read then.)
      const rechecked = await recheckSafety(household, principal);
      return rechecked ? c.json(rechecked, 201, { ETag: etagOf(rechecked.version), Location: location }) : created;
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/households',
      operationId: 'listHouseholds',
      summary: 'List households (summaries without personal data), by origin province and status',
      description:
        'A relief agency lists its own organisation’s households in its country; a ministry its country’s (optionally of one `org`); an admin names `country` or `province` (optionally `org`). ' +
        '`province` is the origin province; `status` narrows the same query. Items are summaries: no names, birth dates, contacts or documents. ' +
        '`verification=VERIFIED` (or NEEDS_REVIEW, UNVERIFIED; with `org` at most) lists the households whose verification was recorded with that status. ' +
        '`returnSafety=AT_RISK&riskEducation=none` (together, with `org` at most) lists the households whose destination is AT_RISK and who have had no risk education yet (`riskEducation` on the household, set by PATCH), so staff brief them before they go home.',
      tag: TAG,
      access: HOUSEHOLD_READERS,
      query: z.object({
        country: z.optional(Country),
        province: z.optional(Province),
        status: z.optional(HouseholdStatus),
        org: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
        returnSafety: z.optional(z.literal('AT_RISK', 'only AT_RISK is listed this way (with riskEducation=none)')),
        riskEducation: z.optional(z.literal('none', 'only none is listed this way (with returnSafety=AT_RISK)')),
        verification: z.optional(VerificationStatus),
        ...PageQuery,
      }),
      responses: { 200: { description: 'A page of household summaries', schema: Page(HouseholdSummarySchema) } },
    },
    async (c, { principal, query }) => {
      if (query.returnSafety || query.riskEducation) return c.json(await briefingDue(principal, query));
      const named = query.country ?? (principal.role === 'admin' && query.province ? (query.province.slice(0, 2) as Country) : undefined);
      const country = actingCountry(principal, named, 'query', 'list households');
      if (query.province && !isCountryProvince(query.province, country)) throw new BadRequest(`${query.province} is not a known province of ${country}.`, [{ path: 'query.province', message: `not a province of ${country}` }]);
      let org = query.org;
      if (principal.role === 'relief') {
        if (org && org !== principal.org) throw new Forbidden('A relief agency lists only its own organisation’s households.');
        org = principal.org;
      }
      if (query.verification) {
        if (query.province || query.status) throw new BadRequest('Households are listed by verification with country and org only.', [{ path: 'query.verification', message: 'not with province or status' }]);
        return c.json(await listHouseholdsByVerification(country, query.verification, org, { limit: query.limit, cursor: query.cursor }));
      }
      const listing: HouseholdListing = org
        ? query.province
          ? { by: 'orgProvince', country, org, province: query.province }
          : { by: 'org', country, org }
        : query.province
          ? { by: 'province', country, province: query.province }
          : { by: 'country', country };
      const page = await listHouseholds(listing, query.status, { limit: query.limit, cursor: query.cursor });
      return c.json({ items: page.items.map(summarise), next: page.next });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/households/lookup',
      operationId: 'lookupHouseholdsByDocument',
      summary: 'Find the households holding an identity document',
      description:
        'Looks the document up by its keyed hash (the number is never stored): the household that registered it and any reviewed duplicates, within the caller’s scope (a relief agency its organisation’s, a ministry its country’s, an admin names `country`). ' +
        'The number travels in the body so that it never appears in a URL or an access log. The answer holds summaries only, which carry no personal data, so no access entry is recorded; reading a household it names does record one.',
      tag: TAG,
      access: HOUSEHOLD_READERS,
      body: DocumentLookup,
      responses: { 200: { description: 'The households holding the document (summaries), claim first', schema: () => z.object({ items: z.array(HouseholdSummarySchema()) }) } },
    },
    async (c, { principal, body }) => {
      const country = actingCountry(principal, body.country, 'body', 'look up households');
      const ids = await householdIdsByDocument(country, await documentHashes(country, body.documentNumber));
      const found = new Map((await getHouseholds(ids)).map((h) => [h.id, h]));
      const items = ids.map((id) => found.get(id)).filter((h): h is Household => h !== undefined && canSeeHousehold(principal, h));
      return c.json({ items: items.map(summarise) });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/households/{id}',
      operationId: 'getHousehold',
      summary: 'Read a household, personal data included (the read is recorded in its access log)',
      description:
        'A relief agency reads its own organisation’s households, a ministry its country’s, an admin any; for everyone else the household does not exist (404). ' +
        'Every read records who, in which role and organisation, and when, before the data is answered. An erased household answers 410 Gone (problem+json with `erasedAt`) to those who could read it, 404 to everyone else.',
      tag: TAG,
      access: ROLES,
      params: IdParams,
      responses: { 200: { description: 'The household; ETag carries its version', schema: HouseholdSchema }, 404: problem, 410: problem },
    },
    async (c, { principal, params }) => {
      const household = await readHousehold(principal, params.id);
      return c.json(household, 200, { ETag: etagOf(household.version) });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/households/{id}/history',
      operationId: 'householdHistory',
      summary: 'The append-only history of a household (registration, status changes, updates), with actors, oldest first',
      description: 'Same scope as reading the household. Entries name the fields an update changed, never their personal content.',
      tag: TAG,
      access: ROLES,
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of history entries', schema: Page(HistoryEntry) }, 404: problem, 410: problem },
    },
    async (c, { principal, params, query }) => {
      await visibleHousehold(principal, params.id);
      return c.json(await listHouseholdHistory(params.id, { limit: query.limit, cursor: query.cursor }));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/households/{id}/access-log',
      operationId: 'householdAccessLog',
      summary: 'Who read or changed a household’s personal data, oldest first',
      description: 'For admins and the ministry of the household’s country; for everyone else the household does not exist (404). Entries say who, role, organisation, when and why, never the content.',
      tag: TAG,
      access: ROLES,
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of access entries', schema: Page(AccessEntrySchema) }, 404: problem },
    },
    async (c, { principal, params, query }) => {
      // An erased household's access log stays readable: it names the staff who read it, nothing of the family.
      const household = (await getHousehold(params.id)) ?? (await getTombstone(params.id));
      if (!household || !canReadAccessLog(principal, household)) throw new NotFound(`No household ${params.id}.`);
      return c.json(await listHouseholdAccess(params.id, { limit: query.limit, cursor: query.cursor }));
    },
  );

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

