/**
 * The bounds an inbound message must keep to be parsed. Each is far above what a portal or a mail
 * client sends, and each is checked by a linear scan of the raw bytes before anything expensive
 * runs; a message over any of them is recorded as `refused` with the bound it broke.
 */
export interface InboundLimits {
  /** Raw message size; SES accepts up to 40 MB, an inquiry never needs more than a few. */
  maxMessageBytes: number;
  /** Header fields of all parts together (a portal mail has 20–60, a mail with 30 attachments ~200). */
  maxHeaderFields: number;
  /** Bytes of all header blocks together (a long Received/ARC/DKIM chain is 10–20 KB). */
  maxHeaderBytes: number;
  /** Nesting of multiparts and inline message/rfc822 parts (real mail: 3–6). */
  maxDepth: number;
  /** MIME parts, the message itself included. */
  maxParts: number;
  /** Bytes of the Message-ID (RFC 5322's line limit; keeps the uniqueness key within DynamoDB's). */
  maxMessageIdBytes: number;
}

export const INBOUND_LIMITS: InboundLimits = {
  maxMessageBytes: 10 * 1024 * 1024,
  maxHeaderFields: 1_000,
  maxHeaderBytes: 256 * 1024,
  maxDepth: 16,
  maxParts: 500,
  maxMessageIdBytes: 998,
};

/** OpenImmo-Feedback documents are a few KB; larger XML attachments are not parsed. */
export const MAX_XML_BYTES = 256 * 1024;
/** At most this many XML attachments are tried as OpenImmo-Feedback. */
export const MAX_XML_CANDIDATES = 3;
