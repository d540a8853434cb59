import type { Country } from '#shared/domain/common.ts';
import { actorOf } from '#shared/domain/history.ts';
import { canSeeHousehold, type HouseholdCreate } from '#shared/domain/household.ts';
import { newId } from '#shared/domain/ids.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { documentHashes } from '#shared/db/document-hash.ts';
import {
  documentHolders,
  getDocumentClaim,
  householdOwners,
  recordHouseholdAccess,
  type DocumentAlreadyClaimed,
  type DocumentHolder,
  type DocumentRef,
} from '#shared/db/repositories/households.ts';
import { BadRequest, Conflict, type FieldError } from '#shared/http/problem.ts';

/**
 * Duplicate identity documents at registration. A document is one number in a country, whatever
 * its type. Held by a household the caller may read (its own organisation's; any for an admin),
 * the answer names that household; held by another organisation's, the answer names none — the
 * ministry, which reads every household of its country, decides and gives the registrar the id
 * to send as `reviewedDuplicate.of` — and the refused attempt is written to the holder's access
 * log, which only the ministry and admins read.
 */

const foreignRefusal = (memberIndex: number): Conflict =>
  new Conflict(
    `The identity document of member ${memberIndex} (body.members.${memberIndex}.document) is registered by another organisation; ask your ministry. ` +
      'If it decides that this is a separate household, it gives you the id to send as "reviewedDuplicate": { "of": "<household id>", "reason": "<why>" }.',
    { reason: 'registered-by-another-organisation', memberIndex, field: `body.members.${memberIndex}.document` },
  );

const visibleConflict = (country: Country, memberIndex: number, holderId: string): Conflict =>
  new Conflict(
    `The identity document of member ${memberIndex} (body.members.${memberIndex}.document) is already registered to household ${holderId} in ${country}. ` +
      'If a registrar has reviewed both and this is a separate household, send the registration again with "reviewedDuplicate": { "of": "<that household id>", "reason": "<why>" }.',
    { existingHouseholdId: holderId, memberIndex, field: `body.members.${memberIndex}.document` },
  );

/** Writes the refused attempt to the holders' access logs (never shown to the caller). */
async function auditRefusals(principal: Principal, holderIds: readonly string[]): Promise<void> {
  const at = new Date().toISOString();
  await Promise.all([...new Set(holderIds)].map((householdId) => recordHouseholdAccess({ id: newId(), at, householdId, actor: actorOf(principal), purpose: 'DUPLICATE_REFUSED' })));
}

/**
 * The document references of a registration, or the refusal: two members with one document
 * (400); a document held by another organisation's household (409 naming none, audited); one held
 * by a household the caller may read (409 naming it), unless `reviewedDuplicate.of` names the
 * holder, which records the registration as a reviewed duplicate of it. A `reviewedDuplicate`
 * whose `of` holds none of the documents changes nothing: the request is answered exactly as
 * without it (so a made-up id learns nothing that leaving it out would not), and it is not kept.
 */
export async function checkDocuments(
  principal: Principal,
  country: Country,
  body: Pick<HouseholdCreate, 'members' | 'reviewedDuplicate'>,
): Promise<{ refs: DocumentRef[]; reviewedDuplicate: HouseholdCreate['reviewedDuplicate'] }> {
  const documents = body.members.flatMap((m, memberIndex) => (m.document ? [{ memberIndex, number: m.document.number }] : []));
  const hashes = await Promise.all(documents.map((d) => documentHashes(country, d.number)));
  const firstHolder = new Map<string, number>();
  const repeated: FieldError[] = [];
  documents.forEach((d, k) => {
    const earlier = firstHolder.get(hashes[k]!.current);
    if (earlier === undefined) firstHolder.set(hashes[k]!.current, d.memberIndex);
    else repeated.push({ path: `body.members.${d.memberIndex}.document`, message: `the same document as member ${earlier}` });
  });
  if (repeated.length) throw new BadRequest('Two members of one household cannot hold the same identity document.', repeated);

  const holders = await documentHolders(country, hashes);
  const owners = await householdOwners(holders.flatMap((h) => (h ? [h.householdId] : [])));
  const of = body.reviewedDuplicate?.of;
  const foreign: { memberIndex: number; holder: DocumentHolder }[] = [];
  const visible: { memberIndex: number; holder: DocumentHolder }[] = [];
  holders.forEach((holder, k) => {
    if (!holder || holder.householdId === of) return;
    const owner = owners.get(holder.householdId);
    if (owner && canSeeHousehold(principal, { country: owner.country as Country, org: owner.org })) visible.push({ memberIndex: documents[k]!.memberIndex, holder });
    else foreign.push({ memberIndex: documents[k]!.memberIndex, holder });
  });
  if (foreign.length > 0) {
    await auditRefusals(principal, foreign.map((f) => f.holder.householdId));
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
 * The answer when a claim was taken between the check and the commit (a concurrent registration):
 * as {@link checkDocuments} would have answered, naming the holder only to whom may read it.
 */
export async function claimRaceProblem(principal: Principal, country: Country, claimed: DocumentAlreadyClaimed): Promise<Conflict> {
  const claim = await getDocumentClaim(country, claimed.hash);
  const owner = claim ? (await householdOwners([claim.householdId])).get(claim.householdId) : undefined;
  if (claim && owner && canSeeHousehold(principal, { country: owner.country as Country, org: owner.org })) return visibleConflict(country, claimed.memberIndex, claim.householdId);
  if (claim) await auditRefusals(principal, [claim.householdId]);
  return foreignRefusal(claimed.memberIndex);
}
