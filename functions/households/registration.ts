import { birthYearOf, HouseholdCreate, newHousehold } from '#shared/domain/household.ts';
import { HouseholdSchema } from '#shared/domain/household-schema.ts';
import { assistedDestination } from '#shared/domain/erasure.ts';
import { newId } from '#shared/domain/ids.ts';
import { DocumentAlreadyClaimed } from '#shared/db/repositories/households.ts';
import { arrivalCheck } from '#shared/db/repositories/household-figures.ts';
import { Prefetched } from '#shared/db/batch.ts';
import { candidateKeys } from '#shared/db/repositories/duplicates.ts';
import { checkDocuments, claimRaceProblem, documentCheckKeys, registrationWrites } from '#shared/db/repositories/household-registration.ts';
import { drawnRegistrationCode, settledRegistrationCode } from '#shared/db/repositories/registration-codes.ts';
import { assessReturnSafety, cacheForHazardsVersion, HazardsChanged, hazardsUnchanged } from '#shared/db/repositories/return-safety.ts';
import { hazardsVersionKey } from '#shared/db/keys/hazard-area.ts';
import type { GuardedWrite } from '#shared/db/transact.ts';
import type { Country } from '#shared/domain/common.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { actingCountry } from '#shared/http/auth.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { count, MetricName } from '#shared/metrics.ts';
import { matchPossibleDuplicates } from './possible-duplicates.ts';
import { readHousehold, refuseBadPlaces, REGISTRARS, TAG } from './scope.ts';

/** `POST /v1/households`: the registration of a displaced household. */
export function registrationRoutes(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households',
      operationId: 'registerHousehold',
      example: {
        origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' },
        current: { province: 'KH17', site: 'Pagoda camp 4' },
        destination: { province: 'KH22', village: 'O Smach', point: { type: 'Point', coordinates: [103.52, 14.42] } },
        members: [
          {
            givenName: 'Sokha',
            familyName: 'Chan',
            sex: 'F',
            birthYear: 1986,
            relationship: 'HEAD',
            specificNeeds: ['SP-PT'],
            document: { type: 'NATIONAL_ID', number: 'KH1000421234' },
          },
          { givenName: 'Dara', familyName: 'Chan', sex: 'M', birthYear: 2012, relationship: 'CHILD', specificNeeds: [] },
        ],
        contact: { phone: '+855 12 345 678' },
        consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
      },
      summary: 'Register a displaced household',
      description:
        'A relief agency registers in its own country (naming the other is a 403); an admin names `country`. Origin, current location and destination are ' +
        'places of that country: any province (a family may shelter in Phnom Penh or Bangkok), and optionally `adm2`, `adm3` and (Cambodia) `adm4` P-codes ' +
        'from the gazetteer, checked against the edition in use and against each other (a commune not in the district given is a 400 naming both). ' +
        'Exactly one member is the head; consent must be given. Identity document numbers are stored only as a keyed hash and their last four characters, ' +
        'and never come back. ' +
        'A document is its number, whatever its type. One already registered to a household the caller may read is a 409 naming that household, unless ' +
        '`reviewedDuplicate.of` names it; one registered by another organisation is a 409 that names no household ' +
        '("registered by another organisation; ask your ministry": the ministry gives the id to send as `reviewedDuplicate.of` when the registration ' +
        'should stand), and the attempt is recorded in that household’s access log. ' +
        'A `reviewedDuplicate` whose `of` holds none of the documents changes nothing and is not kept. ' +
        'Possible duplicates without documents: households of the country with a member of the same normalised name (case, spacing and Latin diacritics ' +
        'folded; Khmer and Thai compared in their own script), born within a year, from the same origin commune or village, are put on the ministry’s ' +
        'review queue (`/v1/duplicate-reviews`); ' +
        '`possibleDuplicates` lists those the caller may read (score and reasons) and is absent otherwise: nothing is said of households the caller may ' +
        'not read. ' +
        'Return safety is assessed at once from the destination point. Accepts `Idempotency-Key`: a replay answers the household as it is now, read with ' +
        'the caller’s scope of now (and recorded as a read).',
      tag: TAG,
      access: REGISTRARS,
      body: HouseholdCreate,
      idempotent: true,
      reread: async (_c, { principal }, id) => {
        const household = await readHousehold(principal, id);
        return { body: household, version: household.version };
      },
      responses: {
        201: { description: 'The household, DISPLACED (document numbers only as type and last four characters)', schema: HouseholdSchema },
        409: problem,
        410: problem,
      },
    },
    async (c, { principal, body, idempotency }) => {
      const country = actingCountry(principal, body.country, 'body', 'register households');
      await refuseBadPlaces(body, country);
      const atSite = await arrivalCheck(body.current, country, 'body.current');
      for (let attempt = 1; ; attempt++) {
        const { household, writes, duplicates } = await prepareRegistration(principal, body, country, atSite);
        const location = `/v1/households/${household.id}`;
        const response = { status: 201, id: household.id, body: { ...household, ...duplicates }, headers: { ETag: etagOf(1), Location: location } };
        try {
          const created = await commitCreate(c, writes, response, idempotency);
          count(MetricName.HouseholdsRegistered);
          return created;
        } catch (e: unknown) {
          if (e instanceof DocumentAlreadyClaimed) throw await claimRaceProblem(principal, country, e);
          // A hazard area written while this one was assessed: assess again (a replay of the
          // Idempotency-Key answers the household as read then).
          if (e instanceof HazardsChanged && attempt < ASSESSMENTS) continue;
          throw e;
        }
      }
    },
  );
}

/** Assessments a registration makes when hazard areas keep changing under it, before answering 409. */
const ASSESSMENTS = 3;

/**
 * A registration's household and transaction. Every lookup by key is one BatchGetItem (document
 * claims, the drawn registration code, the duplicate buckets, and for a destination point the
 * hazard areas' version), then the destination is assessed: each round trip to the table is a
 * share of what a registration costs it. With a point, the transaction commits only if no hazard
 * area was written since the version was read ({@link hazardsUnchanged}).
 */
async function prepareRegistration(principal: Principal, body: HouseholdCreate, country: Country, atSite: GuardedWrite[]) {
  const id = newId();
  const now = new Date().toISOString();
  const person = { country, id, org: principal.org, origin: body.origin, members: body.members.map((m) => ({ ...m, birthYear: birthYearOf(m) })) };
  const drawn = drawnRegistrationCode(country);
  const point = body.destination?.point !== undefined;
  const [documents, buckets] = await Promise.all([documentCheckKeys(country, body), candidateKeys(person)]);
  const reads = Prefetched.read([...documents, drawn.key, ...buckets, ...(point ? [hazardsVersionKey()] : [])]);
  // Without a point the assessment reads no hazard cell and need not wait for the version.
  // With a point, what the assessment reads is kept for the next requests while that version holds.
  const [prefetched, returnSafety] = point
    ? await reads.then(async (read) => [read, await assessReturnSafety(assistedDestination(body), now, cacheForHazardsVersion(read))] as const)
    : await Promise.all([reads, assessReturnSafety(assistedDestination(body), now)]);
  const { refs, reviewedDuplicate } = await checkDocuments(principal, country, body, prefetched);
  const code = await settledRegistrationCode(country, drawn, prefetched);
  const household = newHousehold(body, { id, now, registrar: principal, country, reviewedDuplicate, returnSafety, code });
  const writes = registrationWrites(household, refs, principal, [...atSite, ...(point ? [hazardsUnchanged(prefetched)] : [])]);
  const duplicates = await matchPossibleDuplicates(principal, household, writes, prefetched);
  return { household, writes, duplicates };
}
