import { App, Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { CrmFunction, powertoolsLayerParameter, type FunctionWith } from '#infra/constructs/crm-function';
import { POWERTOOLS_VERSION } from '#infra/bundling';
import { FUNCTION_ENV, FUNCTIONS, requiredVariables, type FunctionName } from '#shared/wiring/env';
import { synthStack, SYNTH_CONTEXT } from '../support/synth.ts';

/** What every function has besides its kind's variables. */
const COMMON = ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME'];

let functions: Array<{ name: FunctionName; properties: any }>;
let parameters: Record<string, any>;
let template: Record<string, any>;

beforeAll(() => {
  template = synthStack().template().toJSON();
  parameters = template.Parameters;
  functions = Object.values(template.Resources as Record<string, any>)
    .filter((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME)
    .map((resource) => ({ name: resource.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME, properties: resource.Properties }));
});

describe('each function of the synthesized stack', () => {
  it('is one of the functions the wiring knows, and every one of them is deployed', () => {
    expect(functions.map((f) => f.name).sort()).toEqual(Object.keys(FUNCTIONS).sort());
  });

  it('gets every variable its kind requires, and none its kind does not declare', () => {
    for (const { name, properties } of functions) {
      const kind = FUNCTIONS[name];
      const variables = Object.keys(properties.Environment.Variables);
      expect(variables, name).toEqual(expect.arrayContaining(requiredVariables(kind)));
      expect(variables.filter((v) => !COMMON.includes(v) && !(v in FUNCTION_ENV[kind].shape)), name).toEqual([]);
    }
  });

  it('is traced with X-Ray and carries the Powertools layer of the version package-lock.json pins', () => {
    const [layerParameter] = Object.entries(parameters).find(([, p]) => p.Default === powertoolsLayerParameter(POWERTOOLS_VERSION))!;
    expect(parameters[layerParameter].Type).toBe('AWS::SSM::Parameter::Value<String>');
    for (const { name, properties } of functions) {
      expect(properties.TracingConfig, name).toEqual({ Mode: 'Active' });
      expect(properties.Layers, name).toEqual([{ Ref: layerParameter }]);
    }
  });
});

describe('a function whose environment misses a required variable', () => {
  it('fails synth, naming the function and the variable', () => {
    const app = new App({ context: SYNTH_CONTEXT });
    const stack = new Stack(app, 'Incomplete', { env: { region: 'eu-central-1' } });
    new CrmFunction(stack, 'Events', { name: 'ses-events', description: 'no table' });
    new CrmFunction(stack, 'Publisher', { name: 'stream-publisher', description: 'no queue', environment: { EVENT_BUS_NAME: 'crm' } });
    // A variable of another name does not compile: the kind's schema types the environment.
    // @ts-expect-error CRM_TABLE is not a variable of ses-events (CRM_TABLE_NAME is)
    new CrmFunction(stack, 'Renamed', { name: 'ses-events', description: 'renamed', environment: { CRM_TABLE: 'x' } });
    expect(() => app.synth()).toThrow(/ses-events \(ses-events\): environment variable CRM_TABLE_NAME is not set[\s\S]*stream-publisher \(stream-publisher\): environment variable POISON_QUEUE_URL is not set/);
  });
});

describe('a grant that sets variables', () => {
  it('takes only the functions whose kind declares every one of them (checked by the compiler)', () => {
    const stack = new Stack(new App({ context: SYNTH_CONTEXT }), 'Grants', { env: { region: 'eu-central-1' } });
    const grant = (fn: CrmFunction<FunctionWith<'SCHEDULE_GROUP_NAME' | 'EXECUTIONS_TABLE_NAME'>>) => fn.name;
    const sesEvents = new CrmFunction(stack, 'SesEvents', { name: 'ses-events', description: 'marks contacts' });
    const runFailures = new CrmFunction(stack, 'RunFailures', { name: 'run-failures', description: 'closes runs' });
    // @ts-expect-error ses-events declares neither variable
    grant(sesEvents);
    // @ts-expect-error run-failures declares the tables but not the wake schedules: every variable counts, not any
    grant(runFailures);
    expect(grant(new CrmFunction(stack, 'WakeRun', { name: 'wake-run', description: 'wakes runs' }))).toBe('wake-run');
    expect(grant(new CrmFunction(stack, 'Api', { name: 'api', description: 'the API' }))).toBe('api');
  });
});

describe('the function roles', () => {
  it('grant a resource of * only to actions AWS does not scope: X-Ray\'s, and the stream event source\'s ListStreams', () => {
    const roles = new Set(functions.map(({ properties }) => properties.Role['Fn::GetAtt'][0] as string));
    const wildcards = Object.values(template.Resources as Record<string, any>)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy' && resource.Properties.Roles.some((role: { Ref?: string }) => role.Ref && roles.has(role.Ref)))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter((statement) => statement.Resource === '*' || (Array.isArray(statement.Resource) && statement.Resource.includes('*')));
    expect(wildcards.length).toBeGreaterThan(0);
    for (const statement of wildcards) {
      expect([statement.Action].flat().every((action) => action.startsWith('xray:') || action === 'dynamodb:ListStreams'), JSON.stringify(statement)).toBe(true);
    }
  });
});
