import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import type { CrmFunction, FunctionWith } from './crm-function.ts';
import { nagResource } from './nag-resource.ts';

/** The SES tenants of CRM tenants are all named `crm_<…>` (`sesTenantName` in shared/senders). */
export const SES_TENANT_NAME_PATTERN = 'crm_*';

/** SES v2's API version, the value of the `ses:ApiVersion` condition key for its actions. */
export const SES_V2_API_VERSION = '2019-09-27';

/** The ARNs of the account's SES identities and of the CRM's SES tenants, in the stack's region. */
export function sesArns(scope: IConstruct) {
  const stack = Stack.of(scope);
  const base = `arn:${stack.partition}:ses:${stack.region}:${stack.account}`;
  return {
    /** `arn:…:identity/`: the API function appends the domain (`SES_IDENTITY_ARN_PREFIX`). */
    identityPrefix: `${base}:identity/`,
    identities: `${base}:identity/*`,
    /** Tenant ARNs are `tenant/<name>/<id>`, the id chosen by SES. */
    tenants: `${base}:tenant/${SES_TENANT_NAME_PATTERN}`,
  };
}


function acknowledgeWildcard(role: iam.IRole, resource: string, reason: string): void {
  Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${nagResource(role, resource)}]`, reason });
}

/**
 * The runners' right to send: `ses:SendEmail` of SES v2 only (`ses:ApiVersion`), on the
 * account's identities and the CRM's SES tenants; no `SendRawEmail`, no v1 `SendEmail` (which
 * carries no tenant), no bulk sends.
 *
 * IAM alone cannot keep tenants apart here: one runner role serves the events of every tenant, so
 * the policy cannot know for which tenant an invocation acts, and tenants register their domains at
 * run time, so the identities cannot be listed at deploy time either. The isolation is SES's
 * tenant association: each CRM tenant's domains are associated with its own SES tenant only
 * (`CreateTenantResourceAssociation`, done by the API after the domain was reserved for that
 * tenant), every send names the tenant's SES tenant (`TenantName`, from the event's tenant, never
 * from settings), and SES refuses (`MessageRejected`) a From identity that is not associated with
 * that SES tenant. A forged settings item that names another tenant's address therefore cannot
 * send from it.
 */
export function grantSendAsTenant(fn: CrmFunction): void {
  const arns = sesArns(fn);
  fn.role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [arns.identities, arns.tenants],
      conditions: { StringEquals: { 'ses:ApiVersion': SES_V2_API_VERSION } },
    }),
  );
  const reason =
    'Tenants register their sender domains at run time, so the identities cannot be listed at deploy time; one role serves every tenant. Tenant isolation is SES\'s tenant association (TenantName on every send), and the grant covers SES v2 SendEmail only.';
  acknowledgeWildcard(fn.role, arns.identities, reason);
  acknowledgeWildcard(fn.role, arns.tenants, reason);
}

/**
 * What the API needs to register sender domains, and nothing more: create and read identities
 * (`CreateEmailIdentity`, `GetEmailIdentity`), create the CRM's SES tenants (`crm_*`) and
 * associate identities with them (`CreateTenantResourceAssociation`). No sending, no deleting, no
 * policy or DKIM-key changes. Sets `SES_IDENTITY_ARN_PREFIX` for the association's ARN.
 */
export function grantManageSenderDomains(fn: CrmFunction<FunctionWith<'SES_IDENTITY_ARN_PREFIX'>>): void {
  const arns = sesArns(fn);
  fn.role.addToPolicy(new iam.PolicyStatement({ actions: ['ses:CreateEmailIdentity', 'ses:GetEmailIdentity'], resources: [arns.identities] }));
  fn.role.addToPolicy(new iam.PolicyStatement({ actions: ['ses:CreateTenant'], resources: [arns.tenants] }));
  fn.role.addToPolicy(new iam.PolicyStatement({ actions: ['ses:CreateTenantResourceAssociation'], resources: [arns.identities, arns.tenants] }));
  fn.setEnvironment({ SES_IDENTITY_ARN_PREFIX: arns.identityPrefix });
  const reason =
    'Identities are the domains tenants register at run time (the API reserves each for one tenant before it touches SES); SES tenant ARNs end in an id SES chooses, and the grant covers the CRM\'s tenants (crm_*) only.';
  acknowledgeWildcard(fn.role, arns.identities, reason);
  acknowledgeWildcard(fn.role, arns.tenants, reason);
}
