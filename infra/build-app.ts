import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CrmStack } from './crm-stack.ts';

/**
 * The CDK app as `cdk synth` builds it, with cdk-nag's AwsSolutions pack as a validation plugin:
 * any unacknowledged finding fails the synth. Infra tests build the same app.
 */
export function buildApp(props: AppProps = {}): { app: App; stack: CrmStack } {
  const app = new App(props);
  const corsOrigins = app.node.tryGetContext('corsOrigins') as string[] | undefined;
  const inboundRecipients = app.node.tryGetContext('inboundRecipients') as string[] | undefined;
  const platformInboundDomain = app.node.tryGetContext('platformInboundDomain') as string | undefined;
  const stack = new CrmStack(app, 'CrmAutomation', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION ?? 'eu-central-1' },
    corsOrigins,
    inboundRecipients,
    platformInboundDomain,
    description: 'Real-estate CRM automation engine',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
