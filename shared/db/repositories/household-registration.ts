import type { Country } from '../../domain/common.ts';
import { actorOf, historyEntry } from '../../domain/history.ts';
import { canSeeHousehold, type Household, type HouseholdCreate } from '../../domain/household.ts';
import { newId } from '../../domain/ids.ts';
import type { Principal } from '../../domain/roles.ts';
import { ConflictError, InvalidInput, type FieldProblem } from '../../errors.ts';
import { EventType } from '../../events/catalogue.ts';
import { outboxEvent } from '../../events/outbox.ts';
import type { Prefetched } from '../batch.ts';
import { documentHashes } from '../document-hash.ts';
import type { GuardedWrite } from '../transact.ts';
import { householdFlowWrites, householdStatsWrites } from './household-figures.ts';
import {
  documentHolderKeys,
  documentHolders,
  getDocumentClaim,
  householdCreateWrites,
  householdOwners,
  recordHouseholdAccess,
  type DocumentAlreadyClaimed,
  type DocumentHolder,
  type DocumentRef,
} from './households.ts';
import { registrationCodeWrite } from './registration-codes.ts';
import { returnSafetyItems } from './return-safety.ts';
import { copyPut } from './versioned.ts';

/*
 * A document is one number in a country, whatever its type. Held by a household the caller may
 * read, the refusal names that household; held by another organisation's, it names none (the
 * ministry, which reads both, decides and gives the id to send as `reviewedDuplicate.of`) and the
 * attempt goes to the holder's access log, which only the ministry and admins read.
 */

const foreignRefusal = (memberIndex: number): ConflictError =>
  new ConflictError(
    `The identity document of member ${memberIndex} (body.members.${memberIndex}.document) is registered by another organisation; ask your ministry. ` +
      'If it decides that this is a separate household, it gives you the id to send as "reviewedDuplicate": { "of": "<household id>", "reason": "<why>" }.',
    { reason: 'registered-by-another-organisation', memberIndex, field: `body.members.${memberIndex}.document` },
  );

const visibleConflict = (country: Country, memberIndex: number, holderId: string): ConflictError =>
  new ConflictError(
    `The identity document of member ${memberIndex} (body.members.${memberIndex}.document) is already registered to household ${holderId} in ${country}. ` +
      'If a registrar has reviewed both and this is a separate household, send the registration again with "reviewedDuplicate": { "of": "<that household ' +
      'id>", "reason": "<why>" }.',
    { existingHouseholdId: holderId, memberIndex, field: `body.members.${memberIndex}.document` },
  );

async function auditRefusals(principal: Principal, holderIds: readonly string[]): Promise<void> {
  const at = new Date().toISOString();
  await Promise.all(
    [...new Set(holderIds)].map((householdId) =>
      recordHouseholdAccess({ id: newId(), at, householdId, actor: actorOf(principal), purpose: 'DUPLICATE_REFUSED' }),
    ),
  );
}

const documentsOf = (body: Pick<HouseholdCreate, 'members'>) =>
  body.members.flatMap((m, memberIndex) => (m.document ? [{ memberIndex, number: m.document.number }] : []));

/** The claim items {@link checkDocuments} reads for `body`, to read them with the registration's other lookups. */
export async function documentCheckKeys(country: Country, body: Pick<HouseholdCreate, 'members'>): Promise<{ pk: string; sk: string }[]> {
  return documentHolderKeys(country, await Promise.all(documentsOf(body).map((d) => documentHashes(country, d.number))));
}

/**
 * The document references of a registration, or the refusal: two members with one document
 * (InvalidInput); a document held by another organisation's household (a conflict naming none,
 * audited); one held by a household the caller may read (a conflict naming it), unless
 * `reviewedDuplicate.of` names the holder, which records the registration as a reviewed duplicate.
 * A `reviewedDuplicate` whose `of` holds none of the documents is answered exactly as without it
 * (a made-up id learns nothing) and is not kept.
 */
export async function checkDocuments(
  principal: Principal,
  country: Country,
  body: Pick<HouseholdCreate, 'members' | 'reviewedDuplicate'>,
  prefetched?: Prefetched,
): Promise<{ refs: DocumentRef[]; reviewedDuplicate: HouseholdCreate['reviewedDuplicate'] }> {
  const documents = documentsOf(body);
  const hashes = await Promise.all(documents.map((d) => documentHashes(country, d.number)));
  const firstHolder = new Map<string, number>();
  const repeated: FieldProblem[] = [];
  documents.forEach((d, k) => {
    const earlier = firstHolder.get(hashes[k]!.current);
    if (earlier === undefined) firstHolder.set(hashes[k]!.current, d.memberIndex);
    else repeated.push({ path: `body.members.${d.memberIndex}.document`, message: `the same document as member ${earlier}` });
  });
  if (repeated.length) throw new InvalidInput('Two members of one household cannot hold the same identity document.', repeated);

  const holders = await documentHolders(country, hashes, prefetched);
  const owners = await householdOwners(holders.flatMap((h) => (h ? [h.householdId] : [])));
  const of = body.reviewedDuplicate?.of;
  const foreign: { memberIndex: number; holder: DocumentHolder }[] = [];
  const visible: { memberIndex: number; holder: DocumentHolder }[] = [];
  holders.forEach((holder, k) => {
    if (!holder || holder.householdId === of) return;
    const owner = owners.get(holder.householdId);
    if (owner && canSeeHousehold(principal, { country: owner.country as Country, org: owner.org }))
      visible.push({ memberIndex: documents[k]!.memberIndex, holder });
    else foreign.push({ memberIndex: documents[k]!.memberIndex, holder });
  });
  if (foreign.length > 0) {
    await auditRefusals(
      principal,
      foreign.map((f) => f.holder.householdId),
    );
    throw foreignRefusal(foreign[0]!.memberIndex);
  }
  if (visible.length > 0) throw visibleConflict(country, visible[0]!.memberIndex, visible[0]!.holder.householdId);
  const recorded = of !== undefined && holders.some((h) => h?.householdId === of);
  return {
    refs: documents.map((d, k) => ({ hash: hashes[k]!.current, memberIndex: d.memberIndex, duplicate: recorded && holders[k] !== undefined })),
    reviewedDuplicate: recorded ? body.reviewedDuplicate : undefined,
  };
}

/**
 * The refusal when a claim was taken between the check and the commit (a concurrent registration):
 * as {@link checkDocuments} would have answered, naming the holder only to whom may read it.
 */
export async function claimRaceProblem(principal: Principal, country: Country, claimed: DocumentAlreadyClaimed): Promise<ConflictError> {
  const claim = await getDocumentClaim(country, claimed.hash);
  const owner = claim ? (await householdOwners([claim.householdId])).get(claim.householdId) : undefined;
  if (claim && owner && canSeeHousehold(principal, { country: owner.country as Country, org: owner.org }))
    return visibleConflict(country, claimed.memberIndex, claim.householdId);
  if (claim) await auditRefusals(principal, [claim.householdId]);
  return foreignRefusal(claimed.memberIndex);
}

/**
 * Everything a registration writes, in one transaction: the household with its claims and history,
 * its `HouseholdRegistered` event (outbox), its counters and site flows, `checks` (that its site is
 * still open, that no hazard area changed since its assessment), its return-safety index items and
 * its registration code.
 */
export function registrationWrites(household: Household, refs: DocumentRef[], registrar: Principal, checks: GuardedWrite[]): GuardedWrite[] {
  const now = household.createdAt;
  const registered = outboxEvent(
    EventType.HouseholdRegistered,
    { type: 'Household', id: household.id },
    household.country,
    registrar,
    {
      householdId: household.id,
      country: household.country,
      province: household.origin.province,
      org: household.org,
      status: household.status,
      memberCount: household.members.length,
      ...(household.destination ? { destinationProvince: household.destination.province } : {}),
      returnSafety: household.returnSafety.status,
    },
    now,
  );
  return [
    ...householdCreateWrites(household, refs, historyEntry(registrar, now, 'CREATED', { to: household.status })),
    registered.write,
    ...householdStatsWrites(undefined, household),
    ...householdFlowWrites(undefined, household, household.displacedSince ?? now.slice(0, 10)),
    ...checks,
    ...returnSafetyItems(household).map(copyPut),
    registrationCodeWrite(household.country, household.code!, household.id),
  ];
}
