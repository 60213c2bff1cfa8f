import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as actions from 'aws-cdk-lib/aws-ses-actions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CrmFunction } from './crm-function.ts';
import { FailureQueue } from './failure-queue.ts';

export const INBOUND_PREFIX = 'inbound/';

export interface InboundMailProps {
  crmTable: dynamodb.ITable;
  /** Addresses or domains the receipt rule accepts, e.g. `inbound.crm.example`. */
  recipients: string[];
  /** How long raw messages are kept. @default Duration.days(90) */
  retention?: Duration;
}

/**
 * SES inbound: a receipt rule set whose rule (spam and virus scanning on, TLS required) first stores
 * the raw message under `inbound/` in a private, encrypted, TLS-only bucket that expires it, then
 * invokes the inbound-mail function asynchronously, with retries and an SQS on-failure destination.
 * The function may read only that prefix. Activate the rule set once after deploying
 * (`aws ses set-active-receipt-rule-set`); CloudFormation cannot.
 */
export class InboundMail extends Construct {
  readonly bucket: s3.Bucket;
  readonly ruleSet: ses.ReceiptRuleSet;
  readonly handler: CrmFunction;
  readonly failures: sqs.Queue;

  constructor(scope: Construct, id: string, props: InboundMailProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'RawMail', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-raw-mail', prefix: INBOUND_PREFIX, expiration: props.retention ?? Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Only SES writes and only the inbound function reads this bucket, and objects expire; CloudTrail data events are the audit path, not a second access-log bucket.',
    });

    this.failures = new FailureQueue(this, 'Failures', { purpose: 'Inbound mails that could not be recorded after the async retries' }).queue;

    this.handler = new CrmFunction(this, 'Handler', {
      name: 'inbound-mail',
      description: 'SES inbound: raw inquiry mail to Inquiry records',
      memorySize: 1024,
      timeout: Duration.seconds(60),
      environment: { CRM_TABLE_NAME: props.crmTable.tableName, INBOUND_BUCKET: this.bucket.bucketName, INBOUND_PREFIX },
    });
    this.handler.grantTableReadWrite(props.crmTable);
    this.handler.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.bucket.arnForObjects(`${INBOUND_PREFIX}*`)] }));
    const stack = Stack.of(this);
    const bucketId = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)) as string;
    Validations.of(this.handler.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${INBOUND_PREFIX}*]`,
      reason: 'Raw messages are named by SES message id at run time; the grant covers GetObject under inbound/ only.',
    });
    this.handler.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.failures),
    });

    this.ruleSet = new ses.ReceiptRuleSet(this, 'RuleSet', {
      rules: [
        {
          recipients: props.recipients,
          scanEnabled: true,
          tlsPolicy: ses.TlsPolicy.REQUIRE,
          actions: [
            new actions.S3({ bucket: this.bucket, objectKeyPrefix: INBOUND_PREFIX }),
            new actions.Lambda({ function: this.handler.fn, invocationType: actions.LambdaInvocationType.EVENT }),
          ],
        },
      ],
    });
  }
}
