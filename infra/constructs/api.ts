import { Annotations, CfnOutput, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_ROUTES } from '#shared/api/routes';
import { ADMIN_GROUP, TENANT_CLAIM } from '#shared/http/auth';
import { CrmFunction } from './crm-function.ts';
import { grantManageSenderDomains } from './sending-identities.ts';
import type { WaitSchedules } from './wait-schedules.ts';

const TENANT_ATTRIBUTE = TENANT_CLAIM.replace(/^custom:/, '');

/**
 * What every browser client of the pool may read, and so what its ID tokens carry: the tenant
 * (`custom:tenantId`) and the user's names. Users read their tenant but can never write it.
 */
export const ID_TOKEN_ATTRIBUTES = new cognito.ClientAttributes()
  .withStandardAttributes({ email: true, givenName: true, familyName: true })
  .withCustomAttributes(TENANT_ATTRIBUTE);

/**
 * The access log line, a JSON object: CloudWatch Logs Insights reads its fields
 * (`filter status >= 500 | stats count() by routeKey`). The request id matches the function's logs.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  userAgent: '$context.identity.userAgent',
};

/**
 * The Lambda proxy integration without its per-route invoke permission: the Api grants API
 * Gateway one permission for every route of the API instead.
 */
class RouteWideLambdaIntegration extends HttpLambdaIntegration {
  protected override completeBind(): void {}
}

export interface ApiProps {
  crmTable: dynamodb.ITable;
  automationsTable: dynamodb.ITable;
  executionsTable: dynamodb.ITable;
  /** The bus the admin's birthday back-fill publishes to. */
  bus: events.IEventBus;
  /** The wait steps' schedules, which admins cancel, resume now, or (re)create. */
  waits: WaitSchedules;
  /**
   * Origins the CRM front ends are served from (`https://host`); more with {@link Api.allowOrigin}.
   * `*` is refused, and the synth fails when no origin is given or added.
   */
  corsOrigins?: string[];
  /** Steady-state requests per second for the whole API. @default 200 */
  rateLimit?: number;
  /** @default 400 */
  burstLimit?: number;
  /** The platform's inbound domain (`PLATFORM_INBOUND_DOMAIN`). @default 'inbound.crm.example' */
  platformInboundDomain?: string;
  /**
   * The address Cognito's mail (invitations, codes, recovery) comes from, on a domain verified in
   * SES in the stack's region. Without it Cognito uses its built-in sender and its small daily
   * quota (a synth warning says so).
   */
  cognitoSenderAddress?: string;
}

/**
 * The HTTP API: a Cognito user pool whose ID tokens carry the tenant (`custom:tenantId`, set by
 * admins only) and the groups, a JWT authorizer on every route, one API function behind the
 * routes of the shared route table, throttling and access logs on the stage.
 */
export class Api extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly httpApi: apigw.HttpApi;
  readonly handler: CrmFunction<'api'>;
  /** The stage's access logs, one JSON object per request ({@link ACCESS_LOG_FIELDS}). */
  readonly accessLogs: logs.LogGroup;
  private readonly origins: string[];
  private readonly audiences: string[];

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      customAttributes: { tenantId: new cognito.StringAttribute({ mutable: false, minLen: 2, maxLen: 63 }) },
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      ...(props.cognitoSenderAddress
        ? {
            email: cognito.UserPoolEmail.withSES({
              fromEmail: props.cognitoSenderAddress,
              fromName: 'CRM',
              sesRegion: Stack.of(this).region,
              sesVerifiedDomain: props.cognitoSenderAddress.split('@')[1]!,
            }),
          }
        : {}),
    });
    if (!props.cognitoSenderAddress) {
      Annotations.of(this).addWarningV2('crm:cognitoBuiltInMail', 'Cognito sends its mail with its built-in sender (a small daily quota): set -c cognitoSenderAddress=no-reply@<a domain verified in SES>');
    }
    new cognito.CfnUserPoolGroup(this, 'AdminGroup', { userPoolId: this.userPool.userPoolId, groupName: ADMIN_GROUP });
    new cognito.CfnUserPoolGroup(this, 'AgentGroup', { userPoolId: this.userPool.userPoolId, groupName: 'agents' });

    // The web client signs in through the API (SRP), not the hosted UI: no OAuth at all (CDK's
    // defaults would allow the implicit flow with an example.com callback). The admin page has a
    // client of its own (AdminSite).
    this.client = this.userPool.addClient('WebClient', {
      authFlows: { userSrp: true },
      disableOAuth: true,
      generateSecret: false,
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      // Users read their tenant but can never write it: the tenant in the token is the admin's word.
      readAttributes: ID_TOKEN_ATTRIBUTES,
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ givenName: true, familyName: true }),
    });
    this.origins = [];
    for (const origin of props.corsOrigins ?? []) this.allowOrigin(origin);
    this.audiences = [this.client.userPoolClientId];
    const corsOrigins = () => this.origins;
    this.node.addValidation({
      validate: () => (this.origins.length > 0 ? [] : ['The API allows no CORS origin: pass the front ends\' origins (-c corsOrigins=\'["https://crm.example.com"]\').']),
    });

    this.handler = new CrmFunction(this, 'Handler', {
      name: 'api',
      description: 'CRM HTTP API',
      environment: {
        CRM_TABLE_NAME: props.crmTable.tableName,
        AUTOMATIONS_TABLE_NAME: props.automationsTable.tableName,
        EXECUTIONS_TABLE_NAME: props.executionsTable.tableName,
        EVENT_BUS_NAME: props.bus.eventBusName,
        CORS_ORIGINS: Lazy.string({ produce: () => corsOrigins().join(',') }),
        ...(props.platformInboundDomain ? { PLATFORM_INBOUND_DOMAIN: props.platformInboundDomain } : {}),
      },
    });
    this.handler.grantTableReadWrite(props.crmTable);
    this.handler.grantTableReadWrite(props.automationsTable);
    this.handler.grantTableReadWrite(props.executionsTable);
    props.bus.grantPutEventsTo(this.handler.fn);
    // Sender domains: SES identities and the tenants' SES tenants, never sending.
    grantManageSenderDomains(this.handler);
    // Waiting runs: the executions grant above covers their indexes (index/*); here the schedules.
    props.waits.grantScheduling(this.handler);

    const authorizer = new HttpJwtAuthorizer('Jwt', `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`, {
      jwtAudience: Lazy.list({ produce: () => this.audiences }),
      identitySource: ['$request.header.Authorization'],
    });
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'CRM automation engine API',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
      corsPreflight: {
        allowOrigins: Lazy.list({ produce: corsOrigins }),
        allowHeaders: ['authorization', 'content-type'],
        allowMethods: [apigw.CorsHttpMethod.ANY],
        maxAge: Duration.minutes(10),
      },
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 200, burstLimit: props.burstLimit ?? 400 },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(this.accessLogs), format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)) },
    });

    // One integration for every route, and one resource-policy statement for all of them
    // (`arn:…:execute-api:<region>:<account>:<apiId>/*/*`) instead of one per route, which would
    // grow the function's policy towards Lambda's 20 KB limit with each route.
    const integration = new RouteWideLambdaIntegration('Lambda', this.handler.fn);
    this.handler.fn.addPermission('InvokeFromHttpApi', {
      principal: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      sourceArn: Stack.of(this).formatArn({ service: 'execute-api', resource: this.httpApi.apiId, resourceName: '*/*' }),
    });
    for (const route of API_ROUTES) {
      this.httpApi.addRoutes({ path: route.path, methods: [apigw.HttpMethod[route.method]], integration });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.apiEndpoint });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.client.userPoolClientId });
  }

  /** Lets browsers on `origin` (`https://host`) call the API: the HTTP API's CORS and the function's `CORS_ORIGINS`. */
  allowOrigin(origin: string): void {
    if (origin.includes('*')) throw new Error(`CORS origin "${origin}" refused: name the front ends' origins (https://host), not a wildcard.`);
    this.origins.push(origin);
  }

  /** Lets the JWT authorizer accept ID tokens issued to `client` (their `aud`). */
  acceptClient(client: cognito.IUserPoolClient): void {
    this.audiences.push(client.userPoolClientId);
  }
}
