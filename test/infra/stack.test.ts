import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '#shared/api/routes';
import { synthStack } from '../support/synth.ts';

let synth: ReturnType<typeof synthStack>;
let template: Template;
beforeAll(() => {
  synth = synthStack();
  template = synth.template();
});

describe('CrmTable', () => {
  it('has point-in-time recovery, encryption, deletion protection and a NEW_AND_OLD_IMAGES stream', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    });
  });

  it('has the list, parent and sparse birthday indexes', () => {
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table')) as Array<{ Properties: any }>;
    const indexes = table!.Properties.GlobalSecondaryIndexes.map((i: any) => [i.IndexName, i.KeySchema.map((k: any) => k.AttributeName).join('/')]);
    expect(indexes).toEqual([
      ['GSI1', 'GSI1PK/GSI1SK'],
      ['GSI2', 'GSI2PK/GSI2SK'],
      ['GSI3', 'GSI3PK/GSI3SK'],
      ['BirthdayIndex', 'BDAY/BDAYSK'],
    ]);
  });
});

describe('ExecutionsTable', () => {
  it('has the per-tenant, per-automation, per-status and per-contact indexes', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    const [, table] = Object.entries(tables).find(([id]) => id.includes('ExecutionsTable'))! as [string, { Properties: any }];
    const indexes = table.Properties.GlobalSecondaryIndexes.map((i: any) => [i.IndexName, i.KeySchema.map((k: any) => k.AttributeName).join('/'), i.Projection.ProjectionType]);
    expect(indexes).toEqual([
      ['GSI1', 'GSI1PK/GSI1SK', 'ALL'],
      ['GSI2', 'GSI2PK/GSI2SK', 'ALL'],
      ['GSI3', 'GSI3PK/GSI3SK', 'ALL'],
      ['GSI4', 'GSI4PK/GSI4SK', 'ALL'],
      ['GSI5', 'GSI5PK/GSI5SK', 'ALL'],
      ['GSI6', 'GSI6PK/GSI6SK', 'ALL'],
    ]);
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });
});

describe('HTTP API', () => {
  it('has one route per entry of the route table, each behind the JWT authorizer', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as Array<{ Properties: any }>;
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of routes) {
      expect(route.Properties.AuthorizationType, route.Properties.RouteKey).toBe('JWT');
      expect(route.Properties.AuthorizerId).toBeDefined();
    }
  });

  it('verifies Cognito tokens for the web client and the admin page', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [Match.anyValue(), Match.anyValue()], Issuer: Match.anyValue() },
    });
  });

  it('throttles the stage and writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('keeps the tenant attribute out of the users\' own hands', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([Match.objectLike({ Name: 'tenantId', Mutable: false })]),
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
    });
    const [client] = Object.values(template.findResources('AWS::Cognito::UserPoolClient')) as Array<{ Properties: any }>;
    expect(client!.Properties.ReadAttributes).toContain('custom:tenantId');
    expect(client!.Properties.WriteAttributes).not.toContain('custom:tenantId');
    template.resourcePropertiesCountIs('AWS::Cognito::UserPoolGroup', { GroupName: 'admin' }, 1);
  });
});

describe('functions', () => {
  it('run Node.js 22 on arm64 with their own log group and retention', () => {
    // All but CDK's BucketDeployment handler (Python, its runtime chosen by aws-cdk-lib), which deploys the admin page.
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'))
      .map(([, fn]) => fn) as Array<{ Properties: any }>;
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], LoggingConfig: { LogFormat: 'JSON' } });
    }
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('may touch only the system\'s own tables, their indexes and the stream, and write only their own logs', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: any }>;
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    // dynamodb:ListStreams (for the stream event source) has no resource-level permissions.
    const dynamo = statements.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')) && s.Action !== 'dynamodb:ListStreams');
    expect(dynamo.length).toBeGreaterThan(0);
    for (const statement of dynamo) {
      const resources = JSON.stringify(statement.Resource);
      expect(resources).toMatch(/CrmTable|AutomationsTable|ExecutionsTable/);
      expect([statement.Action].flat()).not.toContain('dynamodb:*');
      expect([statement.Action].flat()).not.toContain('dynamodb:Scan');
    }
    const logs = statements.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('logs:')));
    for (const statement of logs) expect(JSON.stringify(statement.Resource)).toMatch(/Logs/);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    for (const role of Object.values(template.findResources('AWS::IAM::Role')) as Array<{ Properties: any }>) {
      expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged, and every acknowledgement gives a reason', () => {
    expect(synth.validationError).toBeUndefined();
    const report = JSON.parse(readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: any) => r.violations)).toEqual([]);
  });

  it('fails the synth on a finding, so the check above can fail', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    new s3.Bucket(new Stack(app, 'Careless'), 'OpenBucket');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});
