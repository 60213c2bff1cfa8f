import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { CrmFunction, type FunctionWith } from './crm-function.ts';
import { FailureQueue } from './failure-queue.ts';
import { SES_V2_API_VERSION } from './sending-identities.ts';

/** SES's EventBridge detail types of the events the CRM marks contacts for. */
export const SES_EVENT_DETAIL_TYPES = ['Email Bounced', 'Email Complaint Received'] as const;

/** How the rule and Lambda retry a failed delivery of an SES event before it goes to the dead-letter queue. */
export const SES_EVENTS_RETRY = { retryAttempts: 8, maxEventAge: Duration.hours(6), asyncRetryAttempts: 2 } as const;

export interface SesEventsProps {
  crmTable: dynamodb.ITable;
}

/**
 * Bounces and complaints: the configuration set every automation mail is sent with
 * (`SES_CONFIGURATION_SET` of the runners and wake-run), whose event destination sends BOUNCE and
 * COMPLAINT events to the default event bus (SES v2's EventBridge destination takes only the
 * default bus); a rule there for this configuration set's events, with a retry policy and a
 * dead-letter queue, invokes the ses-events function, which marks the contacts with those
 * addresses (`shared/senders/ses-events.ts`). The function may read items and update items of the
 * CRM table, nothing else; its failed async invocations go to the same alarmed dead-letter queue.
 */
export class SesEvents extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly fn: CrmFunction<'ses-events'>;
  readonly rule: events.Rule;
  readonly deadLetters: FailureQueue;

  constructor(scope: Construct, id: string, props: SesEventsProps) {
    super(scope, id);
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
    });
    const defaultBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.eventBus(defaultBus),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });

    this.deadLetters = new FailureQueue(this, 'DeadLetters', { purpose: 'SES bounce and complaint events the ses-events function could not handle after its retries' });
    this.fn = new CrmFunction(this, 'Handler', {
      name: 'ses-events',
      description: 'Marks the contacts whose address bounced or complained (SES events)',
      timeout: Duration.seconds(30),
      environment: { CRM_TABLE_NAME: props.crmTable.tableName },
    });
    // findByEmail reads the e-mail's uniqueness item and the contact; the mark is one UpdateItem.
    this.fn.role.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [props.crmTable.tableArn] }));
    this.fn.fn.configureAsyncInvoke({ retryAttempts: SES_EVENTS_RETRY.asyncRetryAttempts, maxEventAge: SES_EVENTS_RETRY.maxEventAge, onFailure: new SqsDestination(this.deadLetters.queue) });

    // `npm run ses-backfill -- --region <region> --configuration-set-arn <this>` associates it with tenants created before it.
    new CfnOutput(this, 'ConfigurationSetArn', { value: this.configurationSetArn, description: 'The SES configuration set of every send (bounce and complaint events)' });

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: defaultBus,
      description: 'SES bounces and complaints of the CRM configuration set to the ses-events function',
      eventPattern: {
        source: ['aws.ses'],
        detailType: [...SES_EVENT_DETAIL_TYPES],
        detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } },
      },
    });
    this.rule.addTarget(new targets.LambdaFunction(this.fn.fn, { retryAttempts: SES_EVENTS_RETRY.retryAttempts, maxEventAge: SES_EVENTS_RETRY.maxEventAge, deadLetterQueue: this.deadLetters.queue }));
  }

  /** The configuration set's ARN. */
  get configurationSetArn(): string {
    const stack = Stack.of(this);
    return `arn:${stack.partition}:ses:${stack.region}:${stack.account}:configuration-set/${this.configurationSet.configurationSetName}`;
  }

  /**
   * What a sending function needs besides `grantSendAsTenant`: SES authorizes a send that names a
   * configuration set on that configuration set too.
   */
  grantSendWith(fn: CrmFunction): void {
    fn.role.addToPolicy(new iam.PolicyStatement({ actions: ['ses:SendEmail'], resources: [this.configurationSetArn], conditions: { StringEquals: { 'ses:ApiVersion': SES_V2_API_VERSION } } }));
  }

  /**
   * The API registers sender domains and creates the SES tenants: SES sends through a tenant only
   * with resources associated with it, so it associates the configuration set with each tenant
   * (`SES_CONFIGURATION_SET_ARN`, `SesIdentityService`).
   */
  grantAssociateWithTenants(fn: CrmFunction<FunctionWith<'SES_CONFIGURATION_SET_ARN'>>): void {
    fn.role.addToPolicy(new iam.PolicyStatement({ actions: ['ses:CreateTenantResourceAssociation'], resources: [this.configurationSetArn] }));
    fn.setEnvironment({ SES_CONFIGURATION_SET_ARN: this.configurationSetArn });
  }

  /** The configuration set's name, for `SES_CONFIGURATION_SET` of the functions that send. */
  get configurationSetName(): string {
    return this.configurationSet.configurationSetName;
  }
}
