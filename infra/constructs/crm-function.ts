import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { FUNCTIONS, requiredVariables, type EnvInput, type FunctionName, type KindOf } from '#shared/wiring/env';
import { BUNDLE_EXTERNALS, BUNDLE_KEEP_NAMES, POWERTOOLS_VERSION } from '../bundling.ts';

/** What a function needs to read and write items, transactions included (they check per item). */
export const TABLE_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A function's variables as its kind's schema names them (a renamed one does not compile). */
export type FunctionEnvironment<N extends FunctionName> = Partial<EnvInput<KindOf<N>>>;

/** The functions whose kind declares every one of these variables (the tuple keeps a union of them from being taken one by one). */
export type FunctionWith<V extends string> = { [N in FunctionName]: [V] extends [keyof EnvInput<KindOf<N>>] ? N : never }[FunctionName];

/** Where the Powertools layer's ARN for a version is published (in every region, by AWS). */
export const powertoolsLayerParameter = (version: string) => `/aws/service/powertools/typescript/generic/all/${version}`;

export interface CrmFunctionProps<N extends FunctionName> {
  /** Folder under `functions/` holding the Lambda's `handler.ts`; its kind (`FUNCTIONS`) fixes the environment. */
  name: N;
  description: string;
  /**
   * The variables known when the function is built; the rest come with the grants that need them
   * (`setEnvironment`). Every variable the kind requires must be set by synth time.
   */
  environment?: FunctionEnvironment<N>;
  /** @default 512 */
  memorySize?: number;
  /** @default Duration.seconds(10) */
  timeout?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  logRetention?: logs.RetentionDays;
  /** Extra NodejsFunction settings for the rare function that needs them. */
  overrides?: Partial<NodejsFunctionProps>;
  /**
   * How many consecutive 5-minute periods with a throttled invocation raise the throttles alarm.
   * A function whose reserved concurrency is its back-pressure (the runners) waits longer.
   * @default 1
   */
  throttlePeriodsToAlarm?: number;
}

/**
 * Every Lambda of the system, with the defaults baked in: Node.js 22 on arm64, an ESM bundle built
 * by esbuild from `functions/<name>/handler.ts`, the Powertools layer of the tested version, X-Ray
 * tracing on, its own log group with a retention, and its own role that may write only to that log
 * group (grants for tables, buses and queues come on top). Its environment is typed by its kind's
 * schema (`shared/wiring/env.ts`), and synth fails while a required variable is missing.
 */
export class CrmFunction<N extends FunctionName = FunctionName> extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Any unhandled error (a throw, a timeout, running out of memory) in 5 minutes. */
  readonly errorsAlarm: cloudwatch.Alarm;
  /** Invocations Lambda refused for lack of concurrency. */
  readonly throttlesAlarm: cloudwatch.Alarm;

  /** The function's folder, which fixes its kind: a grant typed for some functions takes no other. */
  readonly name: N;
  private readonly variables: Record<string, string>;

  constructor(scope: Construct, id: string, props: CrmFunctionProps<N>) {
    super(scope, id);
    this.name = props.name;
    this.variables = { ...(props.environment as Record<string, string> | undefined) };
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.name}`,
    });
    // Logging rights scoped to the function's own log group, instead of the managed
    // AWSLambdaBasicExecutionRole, which may write to every log group of the account.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn, `${this.logGroup.logGroupArn}:*`],
      }),
    );
    this.fn = new NodejsFunction(this, 'Fn', {
      entry: `${ROOT}functions/${props.name}/handler.ts`,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      layers: [powertoolsLayer(this)],
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.name,
        ...this.variables,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        keepNames: BUNDLE_KEEP_NAMES,
        sourceMap: true,
        externalModules: BUNDLE_EXTERNALS,
        mainFields: ['module', 'main'],
        // CommonJS dependencies inside an ESM bundle still call require().
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        metafile: false,
      },
      ...props.overrides,
    });
    const stack = Stack.of(this);
    const logGroupId = stack.resolve(stack.getLogicalId(this.logGroup.node.defaultChild as logs.CfnLogGroup)) as string;
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>:*]`,
      reason: 'Lambda creates log streams with generated names at run time; the grant covers only the function\'s own log group.',
    });
    // Every function is watched; the stack's Monitoring gives every alarm its action.
    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `${props.name}: invocations ended in an unhandled error (throw, timeout, out of memory); read its log group.`,
      metric: this.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const throttlePeriods = props.throttlePeriodsToAlarm ?? 1;
    this.throttlesAlarm = new cloudwatch.Alarm(this, 'ThrottlesAlarm', {
      alarmDescription: `${props.name}: invocations throttled${throttlePeriods > 1 ? ` for ${throttlePeriods * 5} minutes in a row` : ''}; check its concurrency and the account's.`,
      metric: this.fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: throttlePeriods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const kind = FUNCTIONS[props.name];
    this.node.addValidation({
      validate: () => requiredVariables(kind).filter((name) => !(name in this.variables)).map((name) => `${props.name} (${kind}): environment variable ${name} is not set`),
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray\'s PutTraceSegments and PutTelemetryRecords (active tracing) take no resource but *.',
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The design fixes Lambdas on the Node.js 22 runtime (tested locally on Node 20/22 APIs); moving to a newer runtime is a deliberate, tested change.',
    });
  }

  /** Sets variables of the function's kind (a grant that needs them calls this). */
  setEnvironment(variables: FunctionEnvironment<N>): void {
    for (const [name, value] of Object.entries(variables as Record<string, string | undefined>)) {
      if (value === undefined) continue;
      this.variables[name] = value;
      this.fn.addEnvironment(name, value);
    }
  }

  /**
   * Grants item reads and writes on a table and its indexes: no Scan, since no request path or
   * scheduled run may scan, and no table management. Acknowledges the index wildcard.
   */
  grantTableReadWrite(table: dynamodb.ITable): void {
    table.grant(this.fn, ...TABLE_ITEM_ACTIONS);
    const stack = Stack.of(this);
    const tableId = stack.resolve(stack.getLogicalId(table.node.defaultChild as dynamodb.CfnTable)) as string;
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
      reason: 'The grant adds <table>/index/* so the function can query the table\'s own GSIs; it reaches no other table.',
    });
  }
}

/** The Powertools layer (Logger, Metrics, Tracer and the X-Ray SDK) of the version the tests ran, one lookup per stack. */
function powertoolsLayer(scope: Construct): lambda.ILayerVersion {
  const stack = Stack.of(scope);
  const id = 'PowertoolsLayer';
  const existing = stack.node.tryFindChild(id) as lambda.ILayerVersion | undefined;
  return existing ?? lambda.LayerVersion.fromLayerVersionArn(stack, id, ssm.StringParameter.valueForStringParameter(stack, powertoolsLayerParameter(POWERTOOLS_VERSION)));
}
