import type * as z from 'zod';
import type { SendEmailAction } from '../../automations/model.ts';
import { renderHtml, renderLine, renderText } from '../../automations/templates.ts';
import type { RunContext } from '../context.ts';
import { PermanentError, SkipError } from '../errors.ts';
import { buildIcs } from '../ics.ts';
import type { ActionHandler } from './types.ts';

type Action = z.output<typeof SendEmailAction>;

function recipient(action: Action, ctx: RunContext): { email: string; name?: string } {
  if (typeof action.to === 'object') return { email: action.to.address };
  if (action.to === 'contact') {
    const contact = ctx.contact;
    if (!contact) throw new SkipError('The contact no longer exists');
    if (contact.archived) throw new SkipError('The contact is archived');
    if (!contact.email) throw new SkipError('The contact has no e-mail address');
    if (action.purpose === 'marketing' && !contact.gdprConsent) throw new SkipError('The contact has not consented to marketing e-mail');
    if (action.purpose === 'marketing' && !contact.newsletter) throw new SkipError('The contact has not subscribed to the newsletter');
    return { email: contact.email, name: [contact.firstName, contact.lastName].filter(Boolean).join(' ') || undefined };
  }
  const user = action.to === 'contact_owner' ? ctx.owner : ctx.contactPerson;
  if (!user || user.archived) throw new SkipError(action.to === 'contact_owner' ? 'The contact has no owner' : 'The property has no contact person');
  return { email: user.email, name: `${user.firstName} ${user.lastName}` };
}

/** Sends a templated e-mail from the tenant's sender address, with an .ics invitation for appointments. */
export const sendEmail: ActionHandler<Action> = async (action, ctx, step, { mailer }) => {
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
      return { messageId, to: to.email, subject, step: step.index };
    },
  };
};
