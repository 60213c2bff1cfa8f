import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AdminSite } from './constructs/admin-site.ts';
import { Api } from './constructs/api.ts';
import { Automations } from './constructs/automations.ts';
import { BirthdaySchedule } from './constructs/birthday-schedule.ts';
import { Data } from './constructs/data.ts';
import { FailureQueue } from './constructs/failure-queue.ts';
import { InboundMail } from './constructs/inbound-mail.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { Pipeline } from './constructs/pipeline.ts';
import { sendConcurrency } from './constructs/send-rate.ts';
import { SesEvents } from './constructs/ses-events.ts';
import { WaitSchedules } from './constructs/wait-schedules.ts';

export interface CrmStackProps extends StackProps {
  corsOrigins?: string[];
  /** Addresses or domains SES accepts inquiry mail for. @default [platformInboundDomain] */
  inboundRecipients?: string[];
  /**
   * The platform's inbound domain: each tenant may use `<tenantId>@` (and `<tenantId>+<tag>@`)
   * there as inbound address, and no tenant may register it as a sender domain.
   * @default 'inbound.crm.example'
   */
  platformInboundDomain?: string;
  /** E-mail subscribers of the alarm topic. @default none (a synth warning) */
  alarmEmails?: string[];
  /** The account's SES send rate per second, which sizes the sending functions' reserved concurrency. @default 14 */
  sesMaxSendRate?: number;
  /** The sender of Cognito's mail, on a domain verified in SES. @default Cognito's built-in sender (a warning) */
  cognitoSenderAddress?: string;
}

/** The whole system in one stack: data, API, event pipeline, automations and their wait schedules, birthday schedule, inbound mail, the admin page. */
export class CrmStack extends Stack {
  readonly data: Data;
  readonly api: Api;
  readonly pipeline: Pipeline;
  readonly inbound: InboundMail;
  readonly birthdays: BirthdaySchedule;
  readonly automations: Automations;
  readonly waits: WaitSchedules;
  readonly adminSite: AdminSite;
  readonly monitoring: Monitoring;
  readonly sesEvents: SesEvents;

  constructor(scope: Construct, id: string, props: CrmStackProps = {}) {
    super(scope, id, props);
    const platformInboundDomain = props.platformInboundDomain ?? 'inbound.crm.example';
    const reservedConcurrency = sendConcurrency(props.sesMaxSendRate);
    this.data = new Data(this, 'Data');
    this.pipeline = new Pipeline(this, 'Pipeline', { crmTable: this.data.crmTable });
    // Bounces and complaints: the configuration set the runners and wake-run send with.
    this.sesEvents = new SesEvents(this, 'SesEvents', { crmTable: this.data.crmTable });
    const sesConfigurationSet = this.sesEvents.configurationSetName;
    this.waits = new WaitSchedules(this, 'WaitSchedules', {
      crmTable: this.data.crmTable,
      automationsTable: this.data.automationsTable,
      executionsTable: this.data.executionsTable,
      sesConfigurationSet,
      reservedConcurrency,
    });
    this.api = new Api(this, 'Api', {
      crmTable: this.data.crmTable,
      automationsTable: this.data.automationsTable,
      executionsTable: this.data.executionsTable,
      bus: this.pipeline.bus,
      waits: this.waits,
      corsOrigins: props.corsOrigins,
      platformInboundDomain,
      ...(props.cognitoSenderAddress ? { cognitoSenderAddress: props.cognitoSenderAddress } : {}),
    });
    this.inbound = new InboundMail(this, 'InboundMail', { crmTable: this.data.crmTable, recipients: props.inboundRecipients ?? [platformInboundDomain] });
    this.birthdays = new BirthdaySchedule(this, 'Birthdays', { crmTable: this.data.crmTable, bus: this.pipeline.bus });
    this.automations = new Automations(this, 'Automations', {
      crmTable: this.data.crmTable,
      automationsTable: this.data.automationsTable,
      executionsTable: this.data.executionsTable,
      bus: this.pipeline.bus,
      waits: this.waits,
      sesConfigurationSet,
      reservedConcurrency,
    });
    // Every function that sends names the configuration set: it may, and each SES tenant has it associated.
    for (const fn of [...Object.values(this.automations.runners), this.waits.wakeRun]) this.sesEvents.grantSendWith(fn);
    this.sesEvents.grantAssociateWithTenants(this.api.handler);
    // The admin page calls the API cross-origin with ID tokens of its own app client.
    this.adminSite = new AdminSite(this, 'AdminSite', { userPool: this.api.userPool, apiUrl: this.api.httpApi.apiEndpoint });
    this.api.allowOrigin(this.adminSite.origin);
    this.api.acceptClient(this.adminSite.client);
    // Last: the dashboard lists the dead-letter queues defined above (every alarm gets the topic anyway).
    this.monitoring = new Monitoring(this, 'Monitoring', {
      alarmEmails: props.alarmEmails,
      httpApi: this.api.httpApi,
      streamPublisher: this.pipeline.publisher.fn,
      runners: { ...Object.fromEntries(Object.entries(this.automations.runners).map(([family, runner]) => [family, runner.fn])), wakeRun: this.waits.wakeRun.fn },
      tables: { CrmTable: this.data.crmTable, AutomationsTable: this.data.automationsTable, ExecutionsTable: this.data.executionsTable },
      deadLetterQueues: Object.fromEntries(
        this.node.findAll().filter((c): c is FailureQueue => c instanceof FailureQueue).map((q) => [q.node.path.split('/').slice(1).join('/'), q.queue]),
      ),
    });
  }
}
