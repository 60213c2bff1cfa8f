import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { AUTOMATIONS_TABLE, CRM_TABLE, EXECUTIONS_TABLE, type TableDef } from '../tables.ts';

/**
 * The data tables, built from the same definitions the local stack uses (`infra/tables.ts`):
 * on-demand, encrypted, point-in-time recovery, deletion protection, retained on stack removal.
 */
export class Data extends Construct {
  readonly crmTable: dynamodb.Table;
  readonly automationsTable: dynamodb.Table;
  readonly executionsTable: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.crmTable = tableFrom(this, CRM_TABLE);
    this.automationsTable = tableFrom(this, AUTOMATIONS_TABLE);
    this.executionsTable = tableFrom(this, EXECUTIONS_TABLE);
  }
}

const attr = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });

export function tableFrom(scope: Construct, def: TableDef): dynamodb.Table {
  const table = new dynamodb.Table(scope, def.id, {
    partitionKey: attr(def.partitionKey),
    ...(def.sortKey ? { sortKey: attr(def.sortKey) } : {}),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    ...(def.stream ? { stream: dynamodb.StreamViewType[def.stream] } : {}),
    ...(def.ttlAttribute ? { timeToLiveAttribute: def.ttlAttribute } : {}),
  });
  for (const index of def.indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attr(index.partitionKey),
      ...(index.sortKey ? { sortKey: attr(index.sortKey) } : {}),
      projectionType: dynamodb.ProjectionType[index.projection],
    });
  }
  return table;
}
