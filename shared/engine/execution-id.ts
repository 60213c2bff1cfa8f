import { createHash } from 'node:crypto';

/** One run per (automation, event): the execution id is derived from both, and so is the claim. */
export function executionIdOf(tenantId: string, automationId: string, eventKey: string): string {
  return `x${createHash('sha256').update(`${tenantId}|${automationId}|${eventKey}`).digest('base64url').slice(0, 32)}`;
}
