import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAMILIES } from '#events/rules';
import { synthStack } from '../support/synth.ts';

let synth: ReturnType<typeof synthStack>;
let template: Template;
beforeAll(() => {
  synth = synthStack();
  template = synth.template();
});

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Effect: string };
const policies = () => Object.entries(template.findResources('AWS::IAM::Policy')) as Array<[string, { Properties: any }]>;
const statementsOf = (idPart: string): Statement[] => policies().filter(([id]) => id.includes(idPart)).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
const sesStatements = (statements: Statement[]) => statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('ses:')));
const actions = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat()).sort();
/** A resource as text: `Fn::Join` joined, a `Ref` written as `<Name>`. */
const text = (node: unknown): string => {
  if (typeof node === 'string') return node;
  const o = node as Record<string, any>;
  if (o?.['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(text).join(o['Fn::Join'][0]);
  if (o?.Ref) return `<${o.Ref}>`;
  return JSON.stringify(node);
};

describe('the runners\' right to send', () => {
  it('is SES v2 SendEmail only, on the account\'s identities and the CRM\'s SES tenants', () => {
    for (const family of FAMILIES) {
      const all = sesStatements(statementsOf(`${family}Runner`));
      // The configuration set (bounces and complaints) is authorized on its own statement.
      const onSet = all.filter((s) => [s.Resource].flat().map(text).some((r) => r.includes(':configuration-set/')));
      expect(onSet.map((s) => s.Action), family).toEqual(['ses:SendEmail']);
      expect(onSet[0]!.Condition).toEqual({ StringEquals: { 'ses:ApiVersion': '2019-09-27' } });
      const ses = all.filter((s) => !onSet.includes(s));
      expect(ses, family).toHaveLength(1);
      const [statement] = ses;
      expect(statement!.Action).toBe('ses:SendEmail');
      expect(statement!.Condition).toEqual({ StringEquals: { 'ses:ApiVersion': '2019-09-27' } });
      const resources = (statement!.Resource as unknown[]).map(text);
      expect(resources).toHaveLength(2);
      expect(resources[0]).toMatch(/^arn:<AWS::Partition>:ses:[a-z0-9-]+:(<AWS::AccountId>|\d{12}):identity\/\*$/);
      expect(resources[1]).toMatch(/:tenant\/crm_\*$/);
    }
  });

  it('includes no raw, bulk or v1-only send, and nothing to create or change identities', () => {
    for (const family of FAMILIES) {
      const all = [...new Set(actions(sesStatements(statementsOf(`${family}Runner`))))];
      expect(all).toEqual(['ses:SendEmail']);
    }
  });
});

describe('the API function\'s SES rights', () => {
  it('create and read identities, create the CRM\'s SES tenants and associate identities with them, and nothing else', () => {
    const ses = sesStatements(statementsOf('ApiHandler'));
    expect([...new Set(actions(ses))]).toEqual(['ses:CreateEmailIdentity', 'ses:CreateTenant', 'ses:CreateTenantResourceAssociation', 'ses:GetEmailIdentity']);
    const byAction = (action: string) => ses.filter((s) => [s.Action].flat().includes(action)).flatMap((s) => [s.Resource].flat().map(text));
    for (const action of ['ses:CreateEmailIdentity', 'ses:GetEmailIdentity']) expect(byAction(action)).toEqual([expect.stringMatching(/:identity\/\*$/)]);
    expect(byAction('ses:CreateTenant')).toEqual([expect.stringMatching(/:tenant\/crm_\*$/)]);
    // Identities and the configuration set (bounces and complaints) are associated with the CRM's tenants.
    expect(byAction('ses:CreateTenantResourceAssociation').sort()).toEqual([expect.stringMatching(/:configuration-set\//), expect.stringMatching(/:identity\/\*$/), expect.stringMatching(/:tenant\/crm_\*$/)].sort());
    for (const statement of ses) expect([statement.Resource].flat()).not.toContain('*');
  });

  it('knows the identity ARN prefix and the platform\'s inbound domain', () => {
    const functions = Object.entries(template.findResources('AWS::Lambda::Function')) as Array<[string, { Properties: any }]>;
    const [, api] = functions.find(([id]) => id.includes('ApiHandler'))!;
    const env = api.Properties.Environment.Variables;
    expect(env.PLATFORM_INBOUND_DOMAIN).toBe('inbound.crm.example');
    expect(text(env.SES_IDENTITY_ARN_PREFIX)).toMatch(/^arn:<AWS::Partition>:ses:[a-z0-9-]+:(<AWS::AccountId>|\d{12}):identity\/$/);
    // The runners neither register domains nor need the prefix.
    for (const [id, fn] of functions.filter(([id]) => id.includes('Runner'))) expect(fn.Properties.Environment.Variables.SES_IDENTITY_ARN_PREFIX, id).toBeUndefined();
  });

  it('is the only function that may touch identities or tenants', () => {
    const touching = policies()
      .filter(([, p]) => (p.Properties.PolicyDocument.Statement as Statement[]).some((s) => [s.Action].flat().some((a) => /^ses:(Create|Get|Delete|Put|Update)/.test(a))))
      .map(([id]) => id);
    expect(touching).toHaveLength(1);
    expect(touching[0]).toMatch(/ApiHandler/);
  });
});

describe('cdk-nag', () => {
  it('stays clean with the SES wildcards (each acknowledged with its reason)', () => {
    expect(synth.validationError).toBeUndefined();
    const report = JSON.parse(readFileSync(join(synth.outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: any) => r.violations)).toEqual([]);
  });
});
