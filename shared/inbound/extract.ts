import { FIELD_LIMITS, type ExtractedInquiry } from '../model/inquiry.ts';
import { htmlToText } from './html-text.ts';
import type { Mail } from './mail.ts';
import { findFeedbackXml, parseOpenImmoFeedback } from './openimmo.ts';
import { parsePortalText } from './portal-text.ts';
import { parseTaggedHtml } from './tagged-html.ts';
import { email, extracted, line, splitName, text } from './text.ts';

/**
 * Extracts the inquiry, trying in order: an OpenImmo-Feedback XML attachment, a web form's tagged
 * HTML, a portal's plain-text labels, and finally the From header and the body (the text part, or
 * the HTML part's text when there is no text part, or else the subject). The result names the
 * format it came from.
 */
export function extractInquiry(mail: Mail): ExtractedInquiry {
  for (const xml of findFeedbackXml(mail)) {
    const feedback = parseOpenImmoFeedback(xml);
    if (feedback) return feedback;
  }
  const tagged = mail.html ? parseTaggedHtml(mail.html) : undefined;
  if (tagged) return tagged;
  return parsePortalText(mail) ?? unstructured(mail);
}

function unstructured(mail: Mail): ExtractedInquiry {
  const { firstName, lastName } = splitName(mail.from.name);
  return extracted('unstructured', {
    firstName,
    lastName,
    email: email(mail.replyTo) ?? email(mail.from.address),
    message: text(mail.text) ?? htmlMessage(mail.html) ?? line(mail.subject),
  });
}

/** The text of an HTML body, collected only up to what an inquiry's message can hold. */
function htmlMessage(html: string | null): string | null {
  return html ? text(htmlToText(html, { maxLength: FIELD_LIMITS.message + 1 })) : null;
}
