import type { AutomationDefinition } from './model.ts';

/** Something an admin should know about an automation that does not stop it from being saved. */
export interface AutomationWarning {
  code: string;
  message: string;
  params?: Record<string, unknown>;
}

export interface WarningContext {
  /** The tenant's sender address, if it has one. */
  senderAddress?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The exact values a pattern requires at a path, when it requires nothing else there (no `$or`, no operators). */
function exactValues(where: Record<string, unknown> | undefined, path: string): unknown[] | undefined {
  let node: unknown = where;
  for (const segment of path.split('.')) {
    if (!isObject(node) || '$or' in node) return undefined;
    node = node[segment];
  }
  return Array.isArray(node) && node.every((v) => !isObject(v)) ? node : undefined;
}

/**
 * The warnings of an automation, on save and on every GET: a mail no one can send, a trigger that
 * can never match, marketing content sent without the consent check, an invitation for activities
 * that have no time.
 */
export function automationWarnings(definition: AutomationDefinition, context: WarningContext): AutomationWarning[] {
  const warnings: AutomationWarning[] = [];
  const { event, where } = definition.trigger;
  const sends = definition.actions.some((a) => a.type === 'send_email');
  if (sends && !context.senderAddress) {
    warnings.push({ code: 'no_sender_address', message: 'The agency has no sender address: every e-mail step fails until one is set in the settings (PUT /settings senderAddress)' });
  }

  const never = (reason: string, params: Record<string, unknown>) => warnings.push({ code: 'never_matches', message: `The trigger can never match: ${reason}`, params });
  if (event === 'DealStageChanged') {
    const from = exactValues(where, 'fromStage');
    const to = exactValues(where, 'toStage');
    if (from && to && from.every((f) => to.length === 1 && f === to[0])) never('a deal never moves from a stage to the same stage', { fromStage: from, toStage: to });
    const now = exactValues(where, 'deal.stage');
    // The deal in the event is the deal after the change: its stage is always toStage.
    if (now && to && !now.some((s) => to.includes(s))) never('deal.stage is the stage after the change, which is toStage; ask toStage only', { dealStage: now, toStage: to });
  }
  if (event === 'ContactBirthday' && exactValues(where, 'contact.archived')?.every((v) => v === true)) {
    never('archived contacts get no birthday event', { field: 'contact.archived' });
  }
  if (event === 'InquiryReceived' && exactValues(where, 'inquiry.status')?.every((v) => v !== 'received')) {
    never('refused inquiries (spam, virus, oversize) raise no event', { field: 'inquiry.status' });
  }

  // Anyone can write any From header: acting on an inquiry's content needs an authenticated sender.
  const authenticatedOnly = exactValues(where, 'inquiry.authenticated')?.every((v) => v === true);
  if (event === 'InquiryReceived' && !authenticatedOnly && definition.actions.some((a) => a.type === 'create_contact' || a.type === 'send_email')) {
    warnings.push({
      code: 'unauthenticated_sender',
      message: 'The trigger also fires for inquiries whose sender is not authenticated (a forged From): add "inquiry": {"authenticated": [true]} to act only on authenticated senders',
      params: { field: 'inquiry.authenticated' },
    });
  }

  definition.actions.forEach((action, index) => {
    if (action.type !== 'send_email') return;
    if (event === 'ContactBirthday' && action.to === 'contact' && action.purpose === 'transactional') {
      warnings.push({
        code: 'marketing_without_consent_check',
        message: 'A birthday greeting is marketing mail; as "transactional" it also goes to contacts without consent or newsletter. Set purpose to "marketing"',
        params: { action: index },
      });
    }
    const types = exactValues(where, 'activity.type');
    if (action.attachIcs && event === 'ActivityCreated' && !(types?.every((t) => t === 'appointment'))) {
      warnings.push({
        code: 'invitation_without_appointment',
        message: 'The invitation (.ics) needs an appointment: for notes, calls and other activities without a time the step is skipped. Add "activity": {"type": ["appointment"]} to the trigger',
        params: { action: index },
      });
    }
  });
  return warnings;
}
