import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Country } from '../../domain/common.ts';
import type { Team, TeamPatch } from '../../domain/team.ts';
import { NotFoundError, StaleVersion } from '../../errors.ts';
import { documentClient, tableName } from '../client.ts';
import { allTeams, teamKey, teamsByCountry } from '../keys/team.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import type { GuardedWrite } from '../transact.ts';
import { versionedPut } from './versioned.ts';

/** The write that creates a team, with its list keys. */
export const teamWrite = (team: Team): GuardedWrite =>
  versionedPut({ ...teamKey(team.id), ...teamsByCountry(team.country, team.id), ...allTeams(team.id), entity: 'Team', ...team }, 'new', `team ${team.id}`);

export async function getTeam(id: string): Promise<Team | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: teamKey(id) }));
  return out.Item ? toResource<Team>(out.Item) : undefined;
}

/** Applies a patch if the stored version is still `expectedVersion`: 404 if absent, 412 if stale. */
export async function updateTeam(id: string, expectedVersion: number, patch: TeamPatch, now: string): Promise<Team> {
  const sets = Object.entries(patch).filter(([, v]) => v !== undefined);
  const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':expected': expectedVersion, ':one': 1, ':now': now };
  const assignments = ['#version = #version + :one', '#updatedAt = :now'];
  sets.forEach(([field, value], i) => {
    names[`#f${i}`] = field;
    values[`:v${i}`] = value;
    assignments.push(`#f${i} = :v${i}`);
  });
  try {
    const out = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: teamKey(id),
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return toResource<Team>(out.Attributes ?? {});
  } catch (e: unknown) {
    if (e instanceof ConditionalCheckFailedException) {
      if (!e.Item) throw new NotFoundError(`No team ${id}.`);
      const current = Number((e.Item.version as { N?: string } | undefined)?.N);
      throw new StaleVersion(
        `The team has changed since you read it (you sent version ${expectedVersion}, it is now ${current}): read it again and reapply your change.`,
        current,
      );
    }
    throw e;
  }
}

export const listTeamsOfCountry = (country: Country, page: PageRequest): Promise<Page<Team>> =>
  queryPage<Team>(page, { index: 'gsi1', partitionKey: ['gsi1pk', teamsByCountry(country, '').gsi1pk], scope: `teams:country=${country}` });

export const listAllTeams = (page: PageRequest): Promise<Page<Team>> =>
  queryPage<Team>(page, { index: 'gsi2', partitionKey: ['gsi2pk', allTeams('').gsi2pk], scope: 'teams:all' });
