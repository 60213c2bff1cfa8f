import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AdminSite } from './constructs/admin-site.ts';
import { Api } from './constructs/api.ts';
import { Automations } from './constructs/automations.ts';
import { BirthdaySchedule } from './constructs/birthday-schedule.ts';
import { Data } from './constructs/data.ts';
import { InboundMail } from './constructs/inbound-mail.ts';
import { Pipeline } from './constructs/pipeline.ts';
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

  constructor(scope: Construct, id: string, props: CrmStackProps = {}) {
    super(scope, id, props);
    const platformInboundDomain = props.platformInboundDomain ?? 'inbound.crm.example';
    this.data = new Data(this, 'Data');
    this.pipeline = new Pipeline(this, 'Pipeline', { crmTable: this.data.crmTable });
    this.waits = new WaitSchedules(this, 'WaitSchedules', {
      crmTable: this.data.crmTable,
      automationsTable: this.data.automationsTable,
      executionsTable: this.data.executionsTable,
    });
    this.api = new Api(this, 'Api', {
      crmTable: this.data.crmTable,
      automationsTable: this.data.automationsTable,
      executionsTable: this.data.executionsTable,
      bus: this.pipeline.bus,
      waits: this.waits,
      corsOrigins: props.corsOrigins,
      platformInboundDomain,
    });
    this.inbound = new InboundMail(this, 'InboundMail', { crmTable: this.data.crmTable, recipients: props.inboundRecipients ?? [platformInboundDomain] });
    this.birthdays = new BirthdaySchedule(this, 'Birthdays', { crmTable: this.data.crmTable, bus: this.pipeline.bus });
    this.automations = new Automations(this, 'Automations', {
      crmTable: this.data.crmTable,
      automationsTable: this.data.automationsTable,
      executionsTable: this.data.executionsTable,
      bus: this.pipeline.bus,
      waits: this.waits,
    });
    // The admin page calls the API cross-origin with ID tokens of its own app client.
    this.adminSite = new AdminSite(this, 'AdminSite', { userPool: this.api.userPool, apiUrl: this.api.httpApi.apiEndpoint });
    this.api.allowOrigin(this.adminSite.origin);
    this.api.acceptClient(this.adminSite.client);
  }
}
