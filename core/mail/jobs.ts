// Payloads of the two job queues. The SMTP service writes the spooled message to the blob store and
// enqueues one job per message; delivery (inbound) and the egress worker (outbound) consume them.

/** DSN parameters of one recipient (RFC 3461 §4). */
export interface RecipientDsn {
  /** NOTIFY: NEVER, or any of SUCCESS, FAILURE, DELAY; absent = the default (FAILURE, DELAY). */
  readonly notify?: readonly ('NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY')[];
  /** ORCPT, as given (`rfc822;user@example.com`). */
  readonly orcpt?: string;
}

export interface EnvelopeRecipient extends RecipientDsn {
  /** Canonical address as given in RCPT TO. */
  readonly address: string;
}

/** The SMTP envelope and what the session learnt about the client. */
export interface SmtpEnvelope {
  /** Reverse-path; '' for the null sender (bounces). */
  readonly mailFrom: string;
  readonly recipients: readonly EnvelopeRecipient[];
  /** DSN RET and ENVID (RFC 3461 §4.3, §4.4). */
  readonly dsnReturn?: 'FULL' | 'HDRS';
  readonly dsnEnvelopeId?: string;
  readonly bodyType?: '7BIT' | '8BITMIME' | 'BINARYMIME';
  readonly smtpUtf8?: boolean;
  /** RFC 8689 REQUIRETLS: relay only over validated TLS to an authenticated next hop, else bounce. */
  readonly requireTls?: boolean;
}

export interface SmtpClientInfo {
  /** Real client IP (after PROXY protocol). */
  readonly ip: string;
  readonly helo: string;
  /** The authenticated user's address, for submission. */
  readonly authenticatedAs?: string;
  readonly tls: boolean;
}

/** SPF verdict taken at MAIL FROM (RFC 7208 results). */
export interface SpfVerdict {
  readonly result: 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'temperror' | 'permerror';
  readonly domain: string;
  /** The Received-SPF / Authentication-Results fragment mailauth produced. */
  readonly header?: string;
}

export interface InboundDeliveryJob {
  readonly kind: 'inbound';
  /** Unique per accepted message (the queue id in the 250 reply). */
  readonly messageId: string;
  /** The spooled message: Received header already prepended. */
  readonly blobKey: string;
  readonly sizeBytes: number;
  readonly envelope: SmtpEnvelope;
  readonly client: SmtpClientInfo;
  readonly spf?: SpfVerdict;
  /** DNSBL zones that listed the client, if policy accepted it anyway. */
  readonly dnsblHits?: readonly string[];
  /** ISO-8601 time the 250 was sent. */
  readonly receivedAt: string;
}

export interface OutboundDeliveryJob {
  readonly kind: 'outbound';
  readonly messageId: string;
  readonly blobKey: string;
  readonly sizeBytes: number;
  /** Only the remote recipients still to be delivered. */
  readonly envelope: SmtpEnvelope;
  readonly client: SmtpClientInfo;
  readonly receivedAt: string;
  /** ISO-8601 of the first attempt; retries stop at firstAttemptAt + expiry. */
  readonly firstAttemptAt?: string;
  /** Attempts so far (the egress worker re-enqueues with a delay instead of sleeping). */
  readonly attempts?: number;
  /** ISO-8601: not to be tried before then (queue delays stop at 900 s, so long waits are chained). */
  readonly notBefore?: string;
  /** The one "still trying" DSN (RFC 3464 Action: delayed) has gone out. */
  readonly delayNoticeSent?: boolean;
}
