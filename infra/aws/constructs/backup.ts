import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface BackupProps {
  /** The table to back up. */
  readonly table: ITable;
  /** Encrypts the vault's recovery points (the table's own key). */
  readonly encryptionKey: IKey;
  /** @default Duration.days(7) - point-in-time recovery already covers 35 days */
  readonly dailyRetention?: Duration;
  /** @default Duration.days(365) */
  readonly monthlyRetention?: Duration;
}

/**
 * AWS Backup of the table, on top of its 35-day point-in-time recovery: daily recovery points
 * kept a week and monthly ones kept a year, in a vault whose recovery points cannot be deleted
 * by hand. Both governments contest each other's records, so a deliberate or mistaken mass
 * change must stay recoverable beyond PITR's window, and from a copy that outlives the table.
 * Every DynamoDB backup is a full copy, billed by size: the daily ones are kept short because
 * PITR already covers those days (README, cost estimate).
 */
export class Backup extends Construct {
  public readonly vault: BackupVault;
  public readonly plan: BackupPlan;

  constructor(scope: Construct, id: string, props: BackupProps) {
    super(scope, id);

    this.vault = new BackupVault(this, 'Vault', {
      encryptionKey: props.encryptionKey,
      blockRecoveryPointDeletion: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.plan = new BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: Schedule.cron({ hour: '19', minute: '0' }), // 02:00 in Phnom Penh and Bangkok
          deleteAfter: props.dailyRetention ?? Duration.days(7),
        }),
        new BackupPlanRule({
          ruleName: 'Monthly',
          scheduleExpression: Schedule.cron({ day: '1', hour: '20', minute: '0' }),
          deleteAfter: props.monthlyRetention ?? Duration.days(365),
        }),
      ],
    });

    const selection = this.plan.addSelection('Table', { resources: [BackupResource.fromDynamoDbTable(props.table)] });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'The role AWS Backup assumes to back up the table of this selection; AWSBackupServiceRolePolicyForBackup is the AWS-maintained policy for that ' +
        'service role and follows the services AWS Backup supports. The role can be assumed by backup.amazonaws.com only.',
    });
  }
}
