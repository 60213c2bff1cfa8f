import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FUNCTION_ENV, FUNCTIONS, readEnv, requiredVariables, type FunctionName } from '#shared/wiring/env';

const ROOT = join(import.meta.dirname, '../..');
const names = Object.keys(FUNCTIONS) as FunctionName[];

/** A value for every variable a kind requires (and nothing else): what the CDK must set at least. */
const sampleOf = (name: FunctionName) => Object.fromEntries(requiredVariables(FUNCTIONS[name]).map((variable) => [variable, `sample-${variable.toLowerCase()}`]));

afterEach(() => void vi.unstubAllEnvs());

describe('the function entries', () => {
  it('are exactly the functions the stack knows, each wired by lambdaHandler with its own kind', () => {
    expect(readdirSync(join(ROOT, 'functions')).sort()).toEqual([...names].sort());
    for (const name of names) {
      const source = readFileSync(join(ROOT, 'functions', name, 'handler.ts'), 'utf8');
      expect(source, name).toMatch(new RegExp(`export const handler = lambdaHandler\\('${FUNCTIONS[name]}', compose`));
    }
  });

  it.each(names)('%s starts with only the variables its kind requires', async (name) => {
    vi.stubEnv('AWS_REGION', 'eu-central-1');
    const sample = sampleOf(name);
    for (const [variable, value] of Object.entries(sample)) vi.stubEnv(variable, value);
    const entry = (await import(join(ROOT, 'functions', name, 'handler.ts'))) as { handler: unknown };
    expect(typeof entry.handler).toBe('function');
  });
});

describe('the environment schemas', () => {
  it('fill in the documented defaults and parse numbers', () => {
    const env = readEnv('runner', sampleOf('deal-runner'));
    expect(env).toMatchObject({ EXECUTION_RETENTION_DAYS: 90, WAKE_RETRY_ATTEMPTS: 10, WAKE_MAX_EVENT_AGE_SECONDS: 21_600 });
    expect(readEnv('runner', { ...sampleOf('deal-runner'), EXECUTION_RETENTION_DAYS: '30' }).EXECUTION_RETENTION_DAYS).toBe(30);
    expect(readEnv('inbound-mail', sampleOf('inbound-mail')).INBOUND_PREFIX).toBe('inbound/');
    expect(readEnv('api', { ...sampleOf('api'), PLATFORM_INBOUND_DOMAIN: ' Inbound.CRM.Example ' }).PLATFORM_INBOUND_DOMAIN).toBe('inbound.crm.example');
  });

  it('refuse empty and malformed values, naming each', () => {
    expect(() => readEnv('ses-events', { CRM_TABLE_NAME: '  ' })).toThrow(/CRM_TABLE_NAME is invalid/);
    expect(() => readEnv('runner', { ...sampleOf('deal-runner'), WAKE_RETRY_ATTEMPTS: '-1', EXECUTION_RETENTION_DAYS: '9e9' })).toThrow(
      'EXECUTION_RETENTION_DAYS is invalid (A whole number); WAKE_RETRY_ATTEMPTS is invalid (A whole number)',
    );
  });

  it('give every kind a schema and every function a kind', () => {
    expect(new Set(Object.values(FUNCTIONS))).toEqual(new Set(Object.keys(FUNCTION_ENV)));
  });
});
