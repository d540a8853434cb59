import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RiskEducationSession } from '../../domain/risk-education.ts';
import { documentClient, tableName } from '../client.ts';
import { sessionKey, sessionsByCountry, sessionsByProvince, sessionsBySite } from '../keys/risk-education.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import type { GuardedWrite } from '../transact.ts';
import { versionedPut } from './versioned.ts';

/** The session item with its list keys (the site list only for a session at a site). */
export const sessionWrite = (s: RiskEducationSession): GuardedWrite =>
  versionedPut(
    {
      ...sessionKey(s.id),
      ...sessionsByCountry(s.country, s.date, s.id),
      ...sessionsByProvince(s.province, s.date, s.id),
      ...(s.site ? sessionsBySite(s.country, s.site, s.date, s.id) : {}),
      entity: 'RiskEducationSession',
      ...s,
    },
    'new',
    `risk education session ${s.id}`,
  );

export async function getSession(id: string): Promise<RiskEducationSession | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: sessionKey(id) }));
  return out.Item ? toResource<RiskEducationSession>(out.Item) : undefined;
}

export type SessionListing = { by: 'country'; country: string } | { by: 'province'; province: string } | { by: 'site'; country: string; site: string };

/** One page of sessions, newest first: one Query of gsi1 (country), gsi2 (province) or gsi3 (site). */
export function listSessions(listing: SessionListing, page: PageRequest): Promise<Page<RiskEducationSession>> {
  const [index, name, value] =
    listing.by === 'country'
      ? ['gsi1', 'gsi1pk', sessionsByCountry(listing.country, '', '').gsi1pk]
      : listing.by === 'province'
        ? ['gsi2', 'gsi2pk', sessionsByProvince(listing.province, '', '').gsi2pk]
        : ['gsi3', 'gsi3pk', sessionsBySite(listing.country, listing.site, '', '').gsi3pk];
  return queryPage(page, { index, partitionKey: [name, value], scope: `eore:${value}`, newestFirst: true });
}
