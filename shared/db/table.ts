/**
 * The single table, described once. The CDK stack (`infra/aws`) and the local runtime
 * (`infra/local`, tests) both build their table from this object, so the two cannot drift.
 *
 * Generic attribute names (ElectroDB's vocabulary): `pk`/`sk` on the base table, `gsiNpk`/`gsiNsk`
 * on the indexes, `entity` on every item. Which access pattern uses which index is documented
 * on the key builders in `shared/db/keys/`.
 */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
}

export interface TableDefinition {
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly IndexDefinition[];
  /** Epoch-seconds attribute after which DynamoDB deletes the item (idempotency records). */
  readonly timeToLiveAttribute: string;
  readonly streamViewType: 'NEW_AND_OLD_IMAGES';
}

const gsi = (n: number): IndexDefinition => ({
  indexName: `gsi${n}`,
  partitionKey: { name: `gsi${n}pk`, type: 'S' },
  sortKey: { name: `gsi${n}sk`, type: 'S' },
});

export const tableDefinition: TableDefinition = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  // gsi5 orders by a number (`gsi5sk`, N) that counters change with ADD: the clearance priorities by score.
  globalSecondaryIndexes: [
    gsi(1),
    gsi(2),
    gsi(3),
    gsi(4),
    { indexName: 'gsi5', partitionKey: { name: 'gsi5pk', type: 'S' }, sortKey: { name: 'gsi5sk', type: 'N' } },
  ],
  timeToLiveAttribute: 'expiresAt',
  streamViewType: 'NEW_AND_OLD_IMAGES',
};
