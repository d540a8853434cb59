import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { tableDefinition as sharedDefinition, type KeyAttribute, type TableDefinition } from '#shared/db/table.ts';

const attribute = (a: KeyAttribute): Attribute => ({
  name: a.name,
  type: a.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

export interface DataProps {
  /** @default the shared definition in `shared/db/table.ts` (the one the local runtime uses) */
  readonly definition?: TableDefinition;
}

/**
 * The single table, built from the same definition object as the local runtime's table, and
 * the customer-managed key that encrypts it (and therefore its stream). Both are retained when
 * the stack is deleted; the table also refuses deletion while deletion protection is on.
 */
export class Data extends Construct {
  public readonly key: Key;
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: DataProps = {}) {
    super(scope, id);
    const def = props.definition ?? sharedDefinition;

    this.key = new Key(this, 'TableKey', {
      description: 'Encrypts the Clearway table and its stream',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = new Table(this, 'Table', {
      partitionKey: attribute(def.partitionKey),
      sortKey: attribute(def.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType[def.streamViewType],
      timeToLiveAttribute: def.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    for (const index of def.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: ProjectionType.ALL, // as shared/db/ensure-table.ts creates them locally
      });
    }
  }
}
