import type * as z from 'zod';
import type { SendEmailAction } from '../../automations/model.ts';
import { renderHtml, renderLine, renderText } from '../../automations/templates.ts';
import { ConflictError } from '../../errors.ts';
import type { ActivityRecord } from '../../model/activity.ts';
import { emailBlocked } from '../../model/contact.ts';
import { normaliseEmail } from '../../db/keys.ts';
import type { CrmStores } from '../../stores/crm-stores.ts';
import type { RunContext } from '../context.ts';
import { describe, PermanentError, SkipError } from '../errors.ts';
import { buildIcs } from '../ics.ts';
import { capital, contactLabel, propertyLabel, userLabel } from '../labels.ts';
import type { ActionHandler, StepRef } from './types.ts';
import { truncate } from '../../text.ts';

type Action = z.output<typeof SendEmailAction>;

function recipient(action: Action, ctx: RunContext): { email: string; name?: string } {
  if (typeof action.to === 'object') return { email: action.to.address };
  if (action.to === 'contact') {
    const contact = ctx.contact;
    if (!contact) {
      const id = ctx.ids.contact;
      throw new SkipError(id ? `The contact ${id} no longer exists` : `The ${ctx.eventType} event names no contact to write to`);
    }
    const who = capital(contactLabel(contact));
    if (contact.archived) throw new SkipError(`${who} is archived`);
    if (!contact.email) throw new SkipError(`${who} has no e-mail address`);
    // A permanent bounce or a complaint about the current address blocks marketing and
    // transactional mail alike: SES counts both against the sender's reputation whatever the purpose.
    const status = contact.emailStatus;
    if (emailBlocked(status) && normaliseEmail(status!.address) === normaliseEmail(contact.email)) {
      const what = status!.state === 'bounced' ? `has bounced (${[status!.type, status!.subType].filter(Boolean).join(' ')}, ${status!.at.slice(0, 10)})` : `has complained about mail (${status!.type}, ${status!.at.slice(0, 10)})`;
      throw new SkipError(`${who} ${what}: no mail is sent to ${contact.email}`);
    }
    if (action.purpose === 'marketing' && !contact.gdprConsent) throw new SkipError(`${who} has not consented to marketing e-mail`);
    if (action.purpose === 'marketing' && !contact.newsletter) throw new SkipError(`${who} has not subscribed to the newsletter`);
    return { email: contact.email, name: [contact.firstName, contact.lastName].filter(Boolean).join(' ') || undefined };
  }
  const user = action.to === 'contact_owner' ? ctx.owner : ctx.contactPerson;
  if (!user) {
    if (action.to === 'contact_owner') throw new SkipError(ctx.contact ? `${capital(contactLabel(ctx.contact))} has no owner` : `The ${ctx.eventType} event names no contact whose owner could be written to`);
    throw new SkipError(ctx.property ? `${capital(propertyLabel(ctx.property))} has no contact person` : `The ${ctx.eventType} event names no property whose contact person could be written to`);
  }
  if (user.archived) throw new SkipError(`${capital(userLabel(user))} is archived`);
  return { email: user.email, name: `${user.firstName} ${user.lastName}` };
}

/** The id of the e-mail activity a send step records: derived from the step, so a retry finds it. */
export function emailActivityId(executionId: string, index: number): string {
  return `${executionId}-${index}`;
}

/**
 * Whether the send step `index` of the execution recorded its e-mail activity, i.e. whether the
 * mail went out (the activity is written right after the send succeeds). A run with neither a
 * contact nor a property records no activity, so there `false` does not prove that nothing was sent.
 */
export async function sentEmailRecorded(stores: Pick<CrmStores, 'activities'>, tenantId: string, executionId: string, index: number): Promise<boolean> {
  const activity = await stores.activities.get(tenantId, emailActivityId(executionId, index));
  return activity?.type === 'email';
}

/** What recording the e-mail did, as part of the step's result. */
type Recorded = { activityId: string } | { activityError: string } | { activityNotRecorded: string };


/**
 * Records a sent e-mail as an `email` activity on the run's contact, property and deal, with the
 * run's provenance (so the engine's self-trigger and chain guards hold for its ActivityCreated).
 * The id is the step's, so a retried step finds the activity instead of adding another. Never
 * throws: the mail has gone out, and a thrown error would make the engine send it again.
 */
async function recordSentEmail(
  stores: Pick<CrmStores, 'activities'>,
  ctx: RunContext,
  step: StepRef,
  mail: { subject: string; text: string; recipient: string },
): Promise<Recorded> {
  if (!ctx.contact && !ctx.property) return { activityNotRecorded: 'The run has neither a contact nor a property to record the e-mail on' };
  const id = emailActivityId(step.executionId, step.index);
  const title = truncate(mail.subject.trim(), 300).trim();
  const activity: ActivityRecord = {
    type: 'email',
    contactIds: ctx.contact ? [ctx.contact.id] : [],
    ...(ctx.property ? { propertyId: ctx.property.id } : {}),
    ...(ctx.deal ? { dealId: ctx.deal.id } : {}),
    ...(title ? { title } : {}),
    ...(mail.text ? { body: truncate(mail.text, 20_000) } : {}),
    recipient: mail.recipient,
    automationName: truncate(ctx.automation.name, 200),
  };
  try {
    await stores.activities.create(ctx.tenantId, activity, { id, causedBy: ctx.causedBy });
  } catch (error) {
    // A conflict is this step's activity, recorded by an earlier attempt.
    if (!(error instanceof ConflictError)) return { activityError: describe(error) };
  }
  return { activityId: id };
}

/**
 * Sends a templated e-mail from the tenant's sender address, with an .ics invitation for
 * appointments, and records it as an `email` activity on the run's contact and property.
 */
export const sendEmail: ActionHandler<Action> = async (action, ctx, step, { mailer, stores }) => {
  const to = recipient(action, ctx);
  if (!ctx.tenant.senderAddress) throw new PermanentError('The tenant has no sender address; set senderAddress with PUT /settings');
  const subject = renderLine(action.subject, ctx.templateData);
  const html = renderHtml(action.body, ctx.templateData);
  const text = renderText(action.body, ctx.templateData);
  const attachments: Array<{ filename: string; contentType: string; content: string }> = [];
  if (action.attachIcs) {
    const activity = ctx.activity;
    if (!activity?.startsAt || !activity.endsAt) throw new SkipError('The activity has no start and end to invite to');
    attachments.push({
      filename: 'einladung.ics',
      contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
      content: buildIcs({
        uid: `${activity.id}@${ctx.tenantId}.crm`,
        startsAt: activity.startsAt,
        endsAt: activity.endsAt,
        summary: subject,
        ...(activity.location ? { location: activity.location } : {}),
        description: text,
        organizer: { email: ctx.tenant.senderAddress, ...(ctx.tenant.name ? { name: ctx.tenant.name } : {}) },
        attendee: to,
      }),
    });
  }
  const replyTo = (ctx.owner ?? ctx.contactPerson)?.email;
  const mail = {
    tenantId: ctx.tenantId,
    from: { address: ctx.tenant.senderAddress, ...(ctx.tenant.name ? { name: ctx.tenant.name } : {}) },
    to: to.email,
    ...(replyTo && replyTo !== to.email ? { replyTo } : {}),
    subject,
    html,
    text,
    attachments,
  };
  return {
    writes: false,
    preview: { to: to.email, from: mail.from.address, ...(mail.replyTo ? { replyTo: mail.replyTo } : {}), subject, text, html, purpose: action.purpose, attachments: attachments.map((a) => a.filename) },
    execute: async () => {
      const { messageId } = await mailer.send(mail);
      const recorded = await recordSentEmail(stores, ctx, step, { subject, text, recipient: to.email });
      return { messageId, to: to.email, subject, step: step.index, ...recorded };
    },
  };
};
