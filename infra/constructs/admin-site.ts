import { AssetHashType, CfnOutput, DockerImage, Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildAdminSiteSync } from '../admin-bundle.ts';
import { ADMIN_SOURCE } from '../local/admin-site.ts';
import { ID_TOKEN_ATTRIBUTES } from './api.ts';
import { nagResource } from './nag-resource.ts';

/** Where the page lives: the URL path on the distribution and the key prefix in the bucket. */
export const ADMIN_PATH = '/admin/';
export const ADMIN_KEY_PREFIX = 'admin/';

/**
 * The viewer-request CloudFront Function (cloudfront-js-2.0): `/admin/` serves `admin/index.html`;
 * `/` and `/admin` redirect to `/admin/` (were the page served at `/admin`, its relative `./app.js`
 * would resolve to `/app.js`). Everything else goes to the bucket as it is (a missing key is a 403:
 * CloudFront may only read objects, not list them).
 */
export const ADMIN_REQUEST_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  if (request.uri === '/' || request.uri === '/admin') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '${ADMIN_PATH}' }, 'cache-control': { value: 'max-age=3600' } } };
  }
  if (request.uri === '${ADMIN_PATH}') request.uri = '${ADMIN_PATH}index.html';
  return request;
}
`;

export interface AdminSiteProps {
  /** The user pool whose ID tokens the API accepts; the page signs in through its hosted UI. */
  userPool: cognito.UserPool;
  /** The HTTP API's base URL (`https://<id>.execute-api.<region>.amazonaws.com`), for the page's config. */
  apiUrl: string;
}

/**
 * The admin page "Automatisierungen" on AWS: its built files (esbuild, at synth) in a private,
 * encrypted, TLS-only bucket under `admin/`, served by CloudFront through origin access control
 * with security headers at `https://<distribution>/admin/`, plus the Cognito domain and a public
 * app client for the hosted UI (authorization code with PKCE, nothing else). The page reads its
 * settings from `admin/config.json`, written at deploy time with this stack's values.
 *
 * Callers still have to let the API accept {@link client}'s ID tokens and {@link origin} in CORS
 * (see CrmStack).
 */
export class AdminSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly domain: cognito.UserPoolDomain;
  readonly client: cognito.UserPoolClient;
  readonly deployment: s3deploy.BucketDeployment;
  /** `https://<distribution domain>`: the page's origin, for the API's CORS. */
  readonly origin: string;
  /** `https://<distribution domain>/admin/`: the page, and the client's callback and logout URL. */
  readonly url: string;
  /** `<prefix>.auth.<region>.amazoncognito.com` */
  readonly cognitoDomain: string;

  constructor(scope: Construct, id: string, props: AdminSiteProps) {
    super(scope, id);
    const stack = Stack.of(this);

    // The Cognito domain prefix must be unique per region across all accounts, may hold only
    // lower-case letters, digits and hyphens, and no "aws", "amazon" or "cognito": the stack's
    // name for the reader, then the first group of the stack's own UUID (from AWS::StackId) for
    // uniqueness, without putting the account id into a public host name.
    const slug = stack.stackName.toLowerCase().replace(/aws|amazon|cognito/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'crm';
    const stackUuid = Fn.select(2, Fn.split('/', stack.stackId));
    this.domain = new cognito.UserPoolDomain(this, 'CognitoDomain', {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix: `${slug}-${Fn.select(0, Fn.split('-', stackUuid))}` },
      managedLoginVersion: cognito.ManagedLoginVersion.CLASSIC_HOSTED_UI,
    });
    this.cognitoDomain = `${this.domain.domainName}.auth.${stack.region}.amazoncognito.com`;

    this.bucket = new s3.Bucket(this, 'Files', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Built files only, rebuilt on every deploy: the deployment below empties admin/ when it is
      // deleted (retainOnDelete: false), so the bucket can go with the stack. No versioning, which
      // would keep old versions that block that.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Holds only the admin page\'s built files (no data); only CloudFront reads it through origin access control and only the stack\'s deployment writes it. Requests are seen at the API, whose access logs are kept.',
    });

    // The API's exact host cannot be named here: the API's CORS names this distribution's domain,
    // and CloudFormation forbids the cycle (API -> distribution -> this policy -> API). Hence any
    // HTTP API of the stack's region, while the Cognito host is exact.
    const apiHosts = `https://*.execute-api.${stack.region}.${stack.urlSuffix}`;
    const csp = [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      `connect-src 'self' ${apiHosts} https://${this.cognitoDomain}`,
      "frame-ancestors 'none'",
      "base-uri 'self'",
      `form-action 'self' https://${this.cognitoDomain}`,
    ].join('; ');
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Admin page: CSP, HSTS, nosniff, no framing, same-origin referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
    const paths = new cloudfront.Function(this, 'Paths', {
      comment: 'Admin page: /admin/ serves index.html, / and /admin redirect to /admin/',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(ADMIN_REQUEST_FUNCTION_CODE),
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'CRM admin page (Automatisierungen)',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: paths, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'Agencies\' admins sign in from wherever they work; the page is static and every data access is authenticated at the API, so no geo restriction.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason: 'Static files only, cached at the edge; the data sits behind the API, which verifies Cognito tokens and is throttled. A web ACL would cost more than it protects here.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR3',
      reason: 'Standard logs would need a second, ACL-enabled bucket for requests for public static files; access to data is logged at the API. Part of the observability work (issue 14).',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR4',
      reason: 'The distribution uses the default *.cloudfront.net certificate, with which CloudFront fixes the minimum protocol to TLSv1; a custom domain with its own certificate (then TLSv1.2_2021) is not part of this stack.',
    });

    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}${ADMIN_PATH}`;

    // The page's app client: public (PKCE instead of a secret), authorization code only, the
    // page's URL as the only callback and logout URL, and no API sign-in flows of its own (the
    // hosted UI signs in; ALLOW_REFRESH_TOKEN_AUTH is always on). Its ID tokens carry the tenant
    // and the groups like the web client's.
    this.client = new cognito.UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      userPoolClientName: 'admin-page',
      generateSecret: false,
      authFlows: { userSrp: false, userPassword: false, adminUserPassword: false, custom: false, user: false },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [this.url],
        logoutUrls: [this.url],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(8),
      readAttributes: ID_TOKEN_ATTRIBUTES,
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ givenName: true, familyName: true }),
    });

    // The deployment's Lambda (CDK's, Python) gets a role of our own, which may write only to its
    // own log group, instead of AWSLambdaBasicExecutionRole; CDK adds the S3 and invalidation grants.
    const deployLogs = new logs.LogGroup(this, 'DeployLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const deployRole = new iam.Role(this, 'DeployRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Deploys the admin page\'s files to its bucket and invalidates them in CloudFront',
    });
    deployRole.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [deployLogs.logGroupArn, `${deployLogs.logGroupArn}:*`] }));
    this.deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [
        // Built at synth by esbuild (about 0.1 s) into the asset's output, hashed by that output;
        // skipped, like the functions' bundling, where a synth does not bundle (the infra tests).
        s3deploy.Source.asset(ADMIN_SOURCE, {
          assetHashType: AssetHashType.OUTPUT,
          bundling: {
            // Required by the type, never used: the local build either succeeds or throws.
            image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
            local: {
              tryBundle(outputDir) {
                buildAdminSiteSync(outputDir);
                return true;
              },
            },
          },
        }),
        s3deploy.Source.jsonData('config.json', {
          mode: 'cognito',
          apiUrl: props.apiUrl,
          cognitoDomain: this.cognitoDomain,
          clientId: this.client.userPoolClientId,
          redirectUri: this.url,
        }),
      ],
      destinationBucket: this.bucket,
      destinationKeyPrefix: ADMIN_KEY_PREFIX,
      prune: true,
      retainOnDelete: false,
      // File names carry no content hash: browsers revalidate every file (ETag, 304), and the
      // deployment invalidates the edge caches.
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: [`${ADMIN_PATH}*`],
      role: deployRole,
      logGroup: deployLogs,
    });
    this.acknowledgeDeployment(deployRole, deployLogs);

    new CfnOutput(this, 'AdminUrl', { value: this.url, description: 'The admin page "Automatisierungen"' });
    new CfnOutput(this, 'CognitoDomainName', { value: this.cognitoDomain, description: 'The Cognito hosted UI\'s domain' });
    new CfnOutput(this, 'AdminClientId', { value: this.client.userPoolClientId, description: 'The admin page\'s Cognito app client' });
  }

  /** The grants CDK's BucketDeployment writes itself, and the log grant, each acknowledged on its own. */
  private acknowledgeDeployment(role: iam.Role, logGroup: logs.LogGroup): void {
    const stack = Stack.of(this);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResource(this, `${logGroup.logGroupArn}:*`)}]`,
      reason: 'Lambda creates log streams with generated names at run time; the grant covers only the deployment\'s own log group.',
    });
    const s3Reason = 'BucketDeployment\'s own grants: read on the stack\'s asset bucket (the page\'s zips) and read-write on the site bucket, to sync and prune admin/.';
    for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason: s3Reason });
    }
    const bucketId = stack.resolve(stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)) as string;
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`, reason: s3Reason });
    // The asset bucket's objects, named as the synthesizer names that bucket: read from the grant
    // itself (its `Fn::Sub` read the way cdk-nag prints it, `${AWS::AccountId}` as <AWS::AccountId>).
    const policy = role.node.findChild('DefaultPolicy') as iam.Policy;
    const document = JSON.parse(JSON.stringify(stack.resolve(policy.document)).replace(/\{"Fn::Sub":("(?:[^"\\]|\\.)*")\}/g, '$1'));
    for (const resource of (document.Statement as Array<{ Resource: unknown }>).flatMap((s) => [s.Resource].flat())) {
      const name = nagResource(this, Token.asString(resource));
      if (/-assets-.*\/\*$/.test(name)) Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${name}]`, reason: s3Reason });
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'BucketDeployment grants CloudFront invalidation on * (no narrower grant of its own); the handler invalidates only this distribution, named in its properties.',
    });
    const handler = stack.node.children.find((c): c is lambda.Function => c instanceof lambda.Function && c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (handler) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'CDK\'s BucketDeployment handler: aws-cdk-lib chooses its Python runtime, which moves with aws-cdk-lib.',
      });
    }
  }
}
