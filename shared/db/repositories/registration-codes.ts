import { createHash, randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { newRegistrationCode } from '../../domain/assistance-rules.ts';
import { ConflictError } from '../../errors.ts';
import { documentClient, tableName } from '../client.ts';
import { registrationCodeKey } from '../keys/assistance.ts';
import { householdKey } from '../keys/household.ts';
import { transact, type GuardedWrite } from '../transact.ts';
import { batchGetAll, type Prefetched } from '../batch.ts';

/**
 * Registration codes: the short code on a family's card (`shared/domain/assistance.ts`), unique in
 * its country through a claim item created with `attribute_not_exists(pk)`. Drawn at registration,
 * derived from the job and household key at import (so a resumed import writes the same), and
 * given on first read to households registered before codes existed.
 */

const draw = (): string => newRegistrationCode((n) => randomBytes(n));

/** A code derived from `seed` (an import's household): the same on every run. */
function derivedCode(seed: string): string {
  let round = 0;
  return newRegistrationCode((n) => createHash('sha256').update(`${seed}#${round++}`).digest().subarray(0, n));
}

/** The claim of a code, as a plain item (an import's BatchWriteItem). */
export const registrationCodeItem = (country: string, code: string, householdId: string): Record<string, unknown> => ({
  ...registrationCodeKey(country, code),
  entity: 'HouseholdCode',
  householdId,
  code,
});

/** The claim of a new household's code, in its registration transaction. */
export const registrationCodeWrite = (country: string, code: string, householdId: string): GuardedWrite => ({
  item: { Put: { TableName: tableName, Item: registrationCodeItem(country, code, householdId), ConditionExpression: 'attribute_not_exists(pk)' } },
  // Only when another registration drew the same free code in the same moment (about one in 10^17 pairs).
  onConditionFailed: () =>
    new ConflictError('Two registrations drew the same registration code at the same moment: send the request again (with the same Idempotency-Key).'),
});

/** The household holding a code in a country (the code in its stored form), or undefined. */
export async function householdIdByCode(country: string, code: string): Promise<string | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: registrationCodeKey(country, code), ConsistentRead: true }));
  return typeof out.Item?.householdId === 'string' ? out.Item.householdId : undefined;
}

/**
 * A code drawn for a registration, with the key of its claim: read with the registration's other
 * lookups ({@link Prefetched}) and settled by {@link settledRegistrationCode}.
 */
export function drawnRegistrationCode(country: string): { code: string; key: { pk: string; sk: string } } {
  const code = draw();
  return { code, key: registrationCodeKey(country, code) };
}

/**
 * The drawn code when its claim was not there when prefetched, else a free one drawn again
 * ({@link freeRegistrationCode}: at some hundred thousand households of a country, one draw in a
 * few thousand). The registration's conditional claim settles a race with another.
 */
export async function settledRegistrationCode(
  country: string,
  drawn: { code: string; key: { pk: string; sk: string } },
  prefetched: Prefetched,
): Promise<string> {
  return prefetched.get(drawn.key) === undefined ? drawn.code : freeRegistrationCode(country);
}

/** A code no household of the country holds now: drawn, then checked with one GetItem (drawn again in the rare case it is taken). */
export async function freeRegistrationCode(country: string): Promise<string> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const code = draw();
    if ((await householdIdByCode(country, code)) === undefined) return code;
  }
  throw new Error('no free registration code found in 8 draws');
}

/**
 * Codes for an import's new households, by household id: each derived from its seed (job and
 * household key), derived again from the next seed while another household holds it, or while it
 * is in `inFlight` (codes given to households whose items are being written and not stored yet).
 * One BatchGetItem per round of derivation.
 */
export async function importRegistrationCodes(
  country: string,
  households: readonly { id: string; seed: string }[],
  inFlight: ReadonlySet<string> = new Set(),
): Promise<Map<string, string>> {
  const codes = new Map<string, string>();
  const used = new Set<string>();
  let pending = households.map((h) => ({ ...h, attempt: 0, code: derivedCode(h.seed) }));
  while (pending.length > 0) {
    const held = new Map<string, string>();
    for (const item of await batchGetAll(
      pending.map((p) => registrationCodeKey(country, p.code)),
      { projection: 'pk, householdId' },
    ))
      held.set(String(item.pk), String(item.householdId));
    const again: typeof pending = [];
    for (const p of pending) {
      const holder = held.get(registrationCodeKey(country, p.code).pk);
      // Its own claim (an earlier run of the job) keeps the code; another household's, or a code of this chunk, derives again.
      if ((holder === p.id || (holder === undefined && !inFlight.has(p.code))) && !used.has(p.code)) {
        codes.set(p.id, p.code);
        used.add(p.code);
      } else {
        if (p.attempt >= 20) throw new Error('no free registration code found for an imported household');
        again.push({ ...p, attempt: p.attempt + 1, code: derivedCode(`${p.seed}#${p.attempt + 1}`) });
      }
    }
    pending = again;
  }
  return codes;
}

class CodeTaken extends Error {}
class CodeAlreadyGiven extends Error {}

/**
 * The code of a household registered before codes existed, given on its first read: the claim and
 * the household's `code` in one transaction (the household's version is left as it is: the code is
 * not a change anyone made, and a client's `If-Match` stays valid). A concurrent first read that
 * gave it a code first wins; its code is answered.
 */
export async function ensureRegistrationCode(household: { id: string; country: string; code?: string | undefined }): Promise<string> {
  if (household.code) return household.code;
  for (let attempt = 0; attempt < 8; attempt++) {
    const code = draw();
    try {
      await transact([
        {
          item: {
            Put: { TableName: tableName, Item: registrationCodeItem(household.country, code, household.id), ConditionExpression: 'attribute_not_exists(pk)' },
          },
          onConditionFailed: () => new CodeTaken(),
        },
        {
          item: {
            Update: {
              TableName: tableName,
              Key: householdKey(household.id),
              UpdateExpression: 'SET code = :code',
              ConditionExpression: 'attribute_exists(pk) AND entity = :household AND attribute_not_exists(code)',
              ExpressionAttributeValues: { ':code': code, ':household': 'Household' },
            },
          },
          onConditionFailed: () => new CodeAlreadyGiven(),
        },
      ]);
      return code;
    } catch (e: unknown) {
      if (e instanceof CodeTaken) continue;
      if (!(e instanceof CodeAlreadyGiven)) throw e;
      const out = await documentClient.send(
        new GetCommand({ TableName: tableName, Key: householdKey(household.id), ConsistentRead: true, ProjectionExpression: 'code' }),
      );
      if (typeof out.Item?.code === 'string') return out.Item.code;
      throw new ConflictError(`Household ${household.id} changed while it was read: read it again.`);
    }
  }
  throw new Error('no free registration code found in 8 draws');
}

/** Deletes a household's code claim (its erasure): only while this household holds it. */
export async function releaseRegistrationCode(country: string, code: string, householdId: string): Promise<void> {
  try {
    await documentClient.send(
      new DeleteCommand({
        TableName: tableName,
        Key: registrationCodeKey(country, code),
        ConditionExpression: 'householdId = :id',
        ExpressionAttributeValues: { ':id': householdId },
      }),
    );
  } catch (e: unknown) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
  }
}
