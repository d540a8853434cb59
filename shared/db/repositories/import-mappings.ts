import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ImportMapping } from '../../domain/import-mapping.ts';
import { documentClient, tableName } from '../client.ts';
import { importMappingKey, importMappingsByOrg } from '../keys/household-import.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import type { GuardedWrite } from '../transact.ts';

/** A column mapping an organisation saved for its imports (keys in `shared/db/keys/household-import.ts`). */
export interface SavedImportMapping {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  org: string;
  name: string;
  mapping: ImportMapping;
}

export const importMappingWrite = (saved: SavedImportMapping): GuardedWrite => ({
  item: {
    Put: {
      TableName: tableName,
      Item: { ...importMappingKey(saved.id), ...importMappingsByOrg(saved.org, saved.id), entity: 'ImportMapping', ...saved },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
});

export async function getImportMapping(id: string): Promise<SavedImportMapping | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: importMappingKey(id), ConsistentRead: true }));
  return out.Item ? toResource<SavedImportMapping>(out.Item) : undefined;
}

/** An organisation's saved mappings, oldest first (a Query of its partition of gsi2). */
export async function listImportMappings(org: string, page: PageRequest): Promise<Page<SavedImportMapping>> {
  return queryPage<SavedImportMapping>(page, { index: 'gsi2', partitionKey: ['gsi2pk', importMappingsByOrg(org, '').gsi2pk], scope: `import-mappings#${org}` });
}
