import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAdminSiteSync } from '#infra/admin-bundle';
import { buildApp } from '#infra/build-app';
import { ADMIN_REQUEST_FUNCTION_CODE, AdminSite } from '#infra/constructs/admin-site';
import { buildAdminSite } from '#infra/local/admin-site';
import { synthStack } from '../support/synth.ts';

let synth: ReturnType<typeof synthStack>;
let template: Template;
beforeAll(() => {
  synth = synthStack();
  template = synth.template();
});

type Resource = { Type: string; Properties: any };
const find = (type: string, idPart: string) => {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.includes(idPart)) as Array<[string, Resource]>;
  expect(found, `${type} ${idPart}`).toHaveLength(1);
  return found[0]!;
};
/** A value as text: `Fn::Join` joined, `Ref` as `<Name>`, `Fn::GetAtt` as `<Name.Attr>`. */
const text = (node: unknown): string => {
  if (typeof node === 'string') return node;
  const o = node as Record<string, any>;
  if (o?.['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(text).join(o['Fn::Join'][0]);
  if (o?.Ref) return `<${o.Ref}>`;
  if (o?.['Fn::GetAtt']) return `<${o['Fn::GetAtt'].join('.')}>`;
  return JSON.stringify(node);
};
const ids = () => ({
  bucket: find('AWS::S3::Bucket', 'AdminSiteFiles')[0],
  distribution: find('AWS::CloudFront::Distribution', 'AdminSite')[0],
  domain: find('AWS::Cognito::UserPoolDomain', 'AdminSite')[0],
  client: find('AWS::Cognito::UserPoolClient', 'AdminSiteClient')[0],
  webClient: find('AWS::Cognito::UserPoolClient', 'WebClient')[0],
  api: find('AWS::ApiGatewayV2::Api', 'HttpApi')[0],
});
const region = () => synth.stack.region;
const pageOrigin = () => `https://<${ids().distribution}.DomainName>`;
const cognitoHost = () => `<${ids().domain}>.auth.${region()}.amazoncognito.com`;

describe('the admin page\'s bucket', () => {
  it('is private, encrypted and TLS-only', () => {
    const [, bucket] = find('AWS::S3::Bucket', 'AdminSiteFiles');
    expect(bucket.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
  });

  it('lets only the distribution read, through origin access control', () => {
    const { bucket, distribution } = ids();
    const [, policy] = find('AWS::S3::BucketPolicy', 'AdminSiteFiles');
    expect(policy.Properties.Bucket).toEqual({ Ref: bucket });
    const statements = policy.Properties.PolicyDocument.Statement as any[];
    expect(statements.find((s) => s.Effect === 'Deny')).toMatchObject({ Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Action: 's3:GetObject', Principal: { Service: 'cloudfront.amazonaws.com' } });
    expect(text(allows[0].Resource)).toBe(`<${bucket}.Arn>/*`);
    expect(text(allows[0].Condition.StringEquals['AWS:SourceArn'])).toBe(`arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<${distribution}>`);
  });
});

describe('the distribution', () => {
  it('reads the bucket through an origin access control (sigv4, always), with no origin access identity', () => {
    const [oacId] = find('AWS::CloudFront::OriginAccessControl', 'AdminSite');
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    const [, distribution] = find('AWS::CloudFront::Distribution', 'AdminSite');
    const [origin] = distribution.Properties.DistributionConfig.Origins;
    expect(distribution.Properties.DistributionConfig.Origins).toHaveLength(1);
    expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [ids().bucket, 'RegionalDomainName'] });
    expect(origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(origin.S3OriginConfig.OriginAccessIdentity).toBe('');
  });

  it('redirects to HTTPS, serves GET and HEAD only, over HTTP/2 and 3, in price class 100, with the security headers and the path function', () => {
    const [, distribution] = find('AWS::CloudFront::Distribution', 'AdminSite');
    const [headersId] = find('AWS::CloudFront::ResponseHeadersPolicy', 'AdminSite');
    const [functionId] = find('AWS::CloudFront::Function', 'AdminSite');
    const config = distribution.Properties.DistributionConfig;
    expect(config).toMatchObject({ PriceClass: 'PriceClass_100', HttpVersion: 'http2and3', Enabled: true });
    expect(config.CacheBehaviors).toBeUndefined();
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      ResponseHeadersPolicyId: { Ref: headersId },
      FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }],
    });
  });

  it('sends HSTS for a year, nosniff, DENY framing, a same-origin referrer and a CSP naming the Cognito domain and the API', () => {
    const [, policy] = find('AWS::CloudFront::ResponseHeadersPolicy', 'AdminSite');
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'same-origin', Override: true },
      ContentSecurityPolicy: { Override: true },
    });
    const csp = Object.fromEntries(
      text(headers.ContentSecurityPolicy.ContentSecurityPolicy)
        .split('; ')
        .map((directive) => [directive.split(' ')[0], directive.split(' ').slice(1)]),
    );
    const cognito = `https://${cognitoHost()}`;
    expect(csp).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      // The API's own host would close a cycle (its CORS names the distribution), which
      // Template.fromStack refuses ("undeployable") and the synth warns of: its region's hosts.
      'connect-src': ["'self'", `https://*.execute-api.${region()}.<AWS::URLSuffix>`, cognito],
      'frame-ancestors': ["'none'"],
      'base-uri': ["'self'"],
      'form-action': ["'self'", cognito],
    });
  });

  it('serves /admin/ as admin/index.html and redirects / and /admin to /admin/', () => {
    const [, fn] = find('AWS::CloudFront::Function', 'AdminSite');
    expect(fn.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(fn.Properties.FunctionCode).toBe(ADMIN_REQUEST_FUNCTION_CODE);
    const handler = new Function(`${ADMIN_REQUEST_FUNCTION_CODE}\nreturn handler;`)() as (event: unknown) => any;
    const request = (uri: string) => ({ request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {} } });
    expect(handler(request('/admin/')).uri).toBe('/admin/index.html');
    expect(handler(request('/admin/app.js')).uri).toBe('/admin/app.js');
    expect(handler(request('/admin/config.json')).uri).toBe('/admin/config.json');
    for (const uri of ['/', '/admin']) {
      expect(handler(request(uri))).toMatchObject({ statusCode: 301, headers: { location: { value: '/admin/' } } });
    }
  });
});

describe('the deployment of the page', () => {
  const deployment = () => Object.values(template.findResources('Custom::CDKBucketDeployment')) as Resource[];

  it('writes under admin/ of the site bucket, prunes there and invalidates /admin/*', () => {
    expect(deployment()).toHaveLength(1);
    const [{ Properties: props }] = deployment() as [Resource];
    expect(props).toMatchObject({
      DestinationBucketName: { Ref: ids().bucket },
      DestinationBucketKeyPrefix: 'admin/',
      Prune: true,
      RetainOnDelete: false,
      DistributionId: { Ref: ids().distribution },
      DistributionPaths: ['/admin/*'],
      SystemMetadata: { 'cache-control': 'no-cache' },
    });
    expect(props.SourceObjectKeys).toHaveLength(2);
  });

  it('includes a config.json for Cognito with the API, the Cognito domain, the page\'s client and its URL, filled in at deploy time', () => {
    const [{ Properties: props }] = deployment() as [Resource];
    const index = (props.SourceMarkers as object[]).findIndex((markers) => Object.keys(markers).length > 0);
    const asset = join(synth.outdir, `asset.${(props.SourceObjectKeys[index] as string).replace(/\.zip$/, '')}`);
    expect(readdirSync(asset)).toEqual(['config.json']);
    let config = readFileSync(join(asset, 'config.json'), 'utf8');
    for (const [marker, value] of Object.entries(props.SourceMarkers[index] as Record<string, unknown>)) config = config.replaceAll(marker, text(value));
    const { api, client } = ids();
    expect(JSON.parse(config)).toEqual({
      mode: 'cognito',
      apiUrl: `<${api}.ApiEndpoint>`,
      cognitoDomain: cognitoHost(),
      clientId: `<${client}>`,
      redirectUri: `${pageOrigin()}/admin/`,
    });
  });

  it('runs with a role of its own that may write only its own log group, and no managed policy', () => {
    const [roleId, role] = find('AWS::IAM::Role', 'AdminSiteDeployRole');
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const [, policy] = find('AWS::IAM::Policy', 'AdminSiteDeployRole');
    expect(policy.Properties.Roles).toEqual([{ Ref: roleId }]);
    const logs = (policy.Properties.PolicyDocument.Statement as any[]).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('logs:')));
    expect(logs).toHaveLength(1);
    expect(logs[0].Resource.map(text).join(' ')).toMatch(/^<AdminSiteDeployLogs\w+\.Arn> <AdminSiteDeployLogs\w+\.Arn>:\*$/);
  });
});

describe('the page\'s build', () => {
  it('is the same whether built synchronously (for the stack) or as npm start builds it', async () => {
    const sync = buildAdminSiteSync(mkdtempSync(join(tmpdir(), 'admin-sync-')));
    const async = await buildAdminSite(mkdtempSync(join(tmpdir(), 'admin-async-')));
    expect(readdirSync(sync.outDir).sort()).toEqual(['app.css', 'app.js', 'index.html']);
    expect(readdirSync(async.outDir).sort()).toEqual(readdirSync(sync.outDir).sort());
    for (const file of readdirSync(sync.outDir)) expect(readFileSync(join(sync.outDir, file)).equals(readFileSync(join(async.outDir, file))), file).toBe(true);
    expect(sync.bytes).toBe(async.bytes);
  });

  it('is what the stack deploys when a synth bundles', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-admin-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'AdminOnly', { env: { region: 'eu-central-1' } });
    new AdminSite(stack, 'AdminSite', { userPool: new cognito.UserPool(stack, 'Users'), apiUrl: 'https://example.execute-api.eu-central-1.amazonaws.com' });
    const assembly = app.synth();
    const manifest = JSON.parse(readFileSync(join(assembly.directory, 'AdminOnly.assets.json'), 'utf8'));
    const site = Object.values(manifest.files as Record<string, { displayName?: string; source: { path: string } }>).find((f) => f.displayName?.endsWith('Deploy/Asset1'));
    expect(readdirSync(join(outdir, site!.source.path)).sort()).toEqual(['app.css', 'app.js', 'index.html']);
  });
});

describe('Cognito for the page', () => {
  it('has a hosted UI domain, unique by the stack\'s id', () => {
    const [, domain] = find('AWS::Cognito::UserPoolDomain', 'AdminSite');
    expect(domain.Properties.ManagedLoginVersion).toBe(1);
    expect(domain.Properties.UserPoolId).toEqual({ Ref: expect.stringMatching(/^ApiUsers/) });
    expect(text(domain.Properties.Domain)).toMatch(/^crmautomation-/);
    expect(JSON.stringify(domain.Properties.Domain)).toContain('"Fn::Split":["/",{"Ref":"AWS::StackId"}]');
  });

  it('has a public app client for the page: authorization code only, the page as callback and logout URL', () => {
    const [, client] = find('AWS::Cognito::UserPoolClient', 'AdminSiteClient');
    const p = client.Properties;
    expect(p).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 480,
      TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'minutes', RefreshToken: 'minutes' },
    });
    expect(p.CallbackURLs.map(text)).toEqual([`${pageOrigin()}/admin/`]);
    expect(p.LogoutURLs.map(text)).toEqual([`${pageOrigin()}/admin/`]);
    expect(p.ReadAttributes).toContain('custom:tenantId');
    expect(p.WriteAttributes).not.toContain('custom:tenantId');
  });

  it('leaves the web client without OAuth (no implicit flow, no example.com callback)', () => {
    const [, client] = find('AWS::Cognito::UserPoolClient', 'WebClient');
    expect(client.Properties.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(client.Properties.AllowedOAuthFlows).toBeUndefined();
    expect(client.Properties.CallbackURLs).toBeUndefined();
    expect(client.Properties.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
  });

  it('is accepted by the API\'s JWT authorizer, the web client still too', () => {
    const { client, webClient } = ids();
    const [, authorizer] = find('AWS::ApiGatewayV2::Authorizer', 'Jwt');
    expect(authorizer.Properties.JwtConfiguration.Audience).toEqual([{ Ref: webClient }, { Ref: client }]);
  });
});

describe('CORS', () => {
  it('allows the page\'s origin, at the HTTP API and in the function', () => {
    const [, api] = find('AWS::ApiGatewayV2::Api', 'HttpApi');
    expect(api.Properties.CorsConfiguration.AllowOrigins.map(text)).toEqual([pageOrigin()]);
    const [, fn] = find('AWS::Lambda::Function', 'ApiHandler');
    expect(text(fn.Properties.Environment.Variables.CORS_ORIGINS)).toBe(pageOrigin());
  });

  it('adds the page\'s origin to the configured ones', () => {
    const { stack } = buildApp({ outdir: mkdtempSync(join(tmpdir(), 'cdk-')), context: { 'aws:cdk:bundling-stacks': [], region: 'eu-central-1', corsOrigins: ['https://crm.example'] } });
    const origin = `https://<${stack.resolve(stack.getLogicalId(stack.adminSite.distribution.node.defaultChild as cloudfront.CfnDistribution))}.DomainName>`;
    const cors = stack.resolve((stack.api.httpApi.node.defaultChild as apigw.CfnApi).corsConfiguration) as { allowOrigins: unknown[] };
    expect(cors.allowOrigins.map(text)).toEqual(['https://crm.example', origin]);
    const environment = stack.resolve((stack.api.handler.fn.node.defaultChild as lambda.CfnFunction).environment) as { variables: Record<string, unknown> };
    expect(text(environment.variables.CORS_ORIGINS)).toBe(`https://crm.example,${origin}`);
  });
});

describe('the stack', () => {
  it('outputs the page\'s URL and the Cognito domain', () => {
    const outputs = Object.entries(template.toJSON().Outputs as Record<string, { Value: unknown }>);
    const value = (idPart: string) => text(outputs.find(([id]) => id.includes(idPart))![1].Value);
    expect(value('AdminUrl')).toBe(`${pageOrigin()}/admin/`);
    expect(value('CognitoDomainName')).toBe(cognitoHost());
  });

  it('leaves cdk-nag nothing unacknowledged', () => {
    expect(synth.validationError).toBeUndefined();
    const report = JSON.parse(readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: any) => r.violations)).toEqual([]);
  });
});
