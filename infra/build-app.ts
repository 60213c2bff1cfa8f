import { App, Tags, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CrmStack } from './crm-stack.ts';

/** The region this project documents and deploys to (Frankfurt: the agencies' data stays in the EU). */
export const DEFAULT_REGION = 'eu-central-1';

/** The tags every resource of the app carries (cost allocation, ownership). */
export const APP_TAGS = { project: 'real-estate-crm', service: 'crm-automation' } as const;

/**
 * The region to deploy to, chosen explicitly: context `region` (`-c region=eu-central-1`) or
 * `CRM_REGION`. `CDK_DEFAULT_REGION` does not count: the CDK CLI always sets it, from the AWS
 * profile (often us-east-1), so it would move the data out of the EU without anyone choosing it.
 */
export function regionOf(app: App): string {
  const region = (app.node.tryGetContext('region') as string | undefined) ?? process.env.CRM_REGION;
  if (!region) {
    throw new Error(`No region chosen: pass -c region=${DEFAULT_REGION} (or set CRM_REGION=${DEFAULT_REGION}). CDK_DEFAULT_REGION is not used, since the CDK CLI always sets it from the AWS profile.`);
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new Error(`region "${region}" is not an AWS region name (like ${DEFAULT_REGION})`);
  return region;
}

/** A list from context: an array (cdk.json, tests), or the CLI's string: JSON (`'["a","b"]'`) or comma-separated. */
export function contextList(app: App, key: string): string[] | undefined {
  const value = app.node.tryGetContext(key) as unknown;
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String);
  const text = String(value).trim();
  if (text.startsWith('[')) {
    const parsed = JSON.parse(text) as unknown;
    if (!Array.isArray(parsed)) throw new Error(`context ${key}: expected a JSON array`);
    return parsed.map(String);
  }
  return text.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * The CDK app as `cdk synth` builds it, with cdk-nag's AwsSolutions pack as a validation plugin:
 * any unacknowledged finding fails the synth. Infra tests build the same app. Refuses to synth
 * without an explicit region ({@link regionOf}) and with a wildcard CORS origin.
 */
export function buildApp(props: AppProps = {}): { app: App; stack: CrmStack } {
  const app = new App(props);
  const region = regionOf(app);
  const corsOrigins = contextList(app, 'corsOrigins');
  if (corsOrigins?.some((origin) => origin.includes('*'))) {
    throw new Error('corsOrigins: a wildcard origin is refused outside the local stack; name the front ends\' origins (https://host).');
  }
  const inboundRecipients = contextList(app, 'inboundRecipients');
  const platformInboundDomain = app.node.tryGetContext('platformInboundDomain') as string | undefined;
  const alarmEmails = contextList(app, 'alarmEmails');
  const sesMaxSendRate = app.node.tryGetContext('sesMaxSendRate') as number | string | undefined;
  const cognitoSenderAddress = app.node.tryGetContext('cognitoSenderAddress') as string | undefined;
  if (cognitoSenderAddress !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(cognitoSenderAddress)) throw new Error(`cognitoSenderAddress: "${cognitoSenderAddress}" is no e-mail address`);
  const stack = new CrmStack(app, 'CrmAutomation', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region },
    corsOrigins,
    inboundRecipients,
    platformInboundDomain,
    alarmEmails,
    ...(sesMaxSendRate === undefined ? {} : { sesMaxSendRate: Number(sesMaxSendRate) }),
    ...(cognitoSenderAddress ? { cognitoSenderAddress } : {}),
    description: 'Real-estate CRM automation engine',
  });
  // Not on the dashboard: CDK would tag it, but CloudFormation's AWS::CloudWatch::Dashboard has no Tags (cfn-lint E3002).
  for (const [key, value] of Object.entries(APP_TAGS)) Tags.of(app).add(key, value, { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
