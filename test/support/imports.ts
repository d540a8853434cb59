import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { csvLine } from '../../infra/local/gen-households.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { householdsByOrg } from '../../shared/db/keys/household.ts';
import { IMPORT_COLUMNS, type ImportRow } from '../../shared/domain/household-import.ts';

/** Helpers of the import tests: CSV rows of the import format, and the households an organisation has in the table. */

/** A row with every column empty. */
export const blankRow = (): ImportRow => Object.fromEntries(IMPORT_COLUMNS.map((c) => [c, ''])) as ImportRow;

/** A valid household's first row (its head, in KH22, now in a camp of KH17), with `extra` columns set. */
export const headRow = (key: string, extra: Partial<ImportRow> = {}): ImportRow => ({
  ...blankRow(),
  household_key: key,
  origin_province: 'KH22',
  origin_village: 'O Smach',
  current_province: 'KH17',
  current_site: 'Pagoda camp 4',
  destination_province: 'KH22',
  consent_given: 'yes',
  consent_date: '2026-01-15',
  consent_purposes: 'RETURN_ASSISTANCE',
  given_name: 'Sokha',
  family_name: 'Chan',
  sex: 'F',
  birth_year: '1986',
  relationship: 'HEAD',
  ...extra,
});

/** A file of these rows, header first. */
export const csvOf = (rows: ImportRow[]): string => csvLine(IMPORT_COLUMNS) + rows.map((r) => csvLine(IMPORT_COLUMNS.map((c) => r[c]))).join('');

/** Households of an organisation in the table (one Query on its list key, every page). */
export async function householdsOf(org: string, country = 'KH'): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': householdsByOrg(country, org, 'X', 'X').gsi2pk },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
