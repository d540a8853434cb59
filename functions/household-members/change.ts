import { historyEntry } from '#shared/domain/history.ts';
import { hasOneHead } from '#shared/domain/household-members.ts';
import type { Household } from '#shared/domain/household.ts';
import type { Principal } from '#shared/domain/roles.ts';
import type { HistoryEntry } from '#shared/domain/history.ts';
import { derivedItemWrites } from '#shared/db/repositories/household-members.ts';
import { blockingChangeWrites } from '#shared/db/repositories/duplicates.ts';
import { householdAccessWrite, householdHistoryWrite, householdWrite } from '#shared/db/repositories/households.ts';
import { transact, type GuardedWrite } from '#shared/db/transact.ts';
import type { EventType, EventDataOf } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { checkVersion } from '#shared/errors.ts';
import { householdStatsWrites } from '#shared/db/repositories/household-figures.ts';
import { accessEntry, visibleHousehold } from '../households/scope.ts';

// Who changes a household (the registering organisation's relief agency, in its scope, and admins) and where its events say it is.
export { placeOf, REGISTRARS } from '../households/scope.ts';

/** The household as the caller may change it: in its scope, at the version its `If-Match` names (412 otherwise). */
export async function householdToChange(principal: Principal, id: string, expectedVersion: number): Promise<Household> {
  const household = await visibleHousehold(principal, id);
  checkVersion(household, expectedVersion, 'household');
  return household;
}

/** The next version of a household, stamped. */
export const nextVersion = (h: Household, now: string): Household => ({ ...h, version: h.version + 1, updatedAt: now });

/**
 * Everything a change of a household's members or verification keeps in step with it, for its
 * transaction: the counters (displacement statistics, monthly buckets, return demand, site
 * figures) and the derived items ({@link derivedItemWrites}: the verification list link, and any
 * per-member index item added there). The one place every member change goes through.
 */
export const memberChangeWrites = (before: Household | undefined, after: Household | undefined): GuardedWrite[] => [
  ...householdStatsWrites(before, after),
  ...derivedItemWrites(before, after),
];

/**
 * Commits one household's change: the household (guarded by the version read), its history entry,
 * an access entry (the answer returns its personal data), its event, its counters and derived
 * items, and `extra` writes, in one transaction. A household without exactly one head is a bug, never written.
 */
export async function commitHouseholdChange<T extends typeof EventType.HouseholdMembersChanged | typeof EventType.HouseholdVerified>(
  principal: Principal,
  before: Household,
  after: Household,
  history: Pick<HistoryEntry, 'action'> & Partial<HistoryEntry>,
  event: { type: T; data: EventDataOf<T> },
  extra: GuardedWrite[] = [],
): Promise<Household> {
  if (!hasOneHead(after)) throw new Error(`household ${after.id} would not have exactly one head`);
  const { action, ...fields } = history;
  await transact([
    householdWrite(after, before.version),
    householdHistoryWrite(after.id, historyEntry(principal, after.updatedAt, action, fields)),
    householdAccessWrite(accessEntry(principal, after.id, 'UPDATE', after.updatedAt)),
    outboxEvent(event.type, { type: 'Household', id: after.id }, after.country, principal, event.data, after.updatedAt).write,
    ...memberChangeWrites(before, after),
    ...(await blockingChangeWrites([[before, after]])),
    ...extra,
  ]);
  return after;
}
