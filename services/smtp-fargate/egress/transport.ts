// The one interface every egress mode implements: hand a signed message to its recipients and say,
// per recipient, whether it was delivered, should be retried later, or failed for good.

/** A message ready to leave: already DKIM-signed; `content()` streams it afresh on every call. */
export interface OutboundMessage {
  readonly messageId: string;
  /** Reverse-path; '' for the null sender (a DSN we relay). */
  readonly mailFrom: string;
  /** The user who submitted it (for the sink's Outbox); absent for relayed DSNs. */
  readonly senderAddress?: string;
  readonly recipients: readonly string[];
  readonly sizeBytes: number;
  readonly content: () => AsyncIterable<Uint8Array>;
  /** RFC 8689 REQUIRETLS: validated TLS to an authenticated next hop that takes the requirement on, or a bounce. */
  readonly requireTls: boolean;
  /** RFC 8689 §5 `TLS-Required: No` in the header: MTA-STS failures may be ignored. Reads the header when asked. */
  readonly tlsOptional: () => Promise<boolean>;
}

export type RecipientOutcome = 'delivered' | 'deferred' | 'failed';

export interface RecipientResult {
  readonly recipient: string;
  readonly outcome: RecipientOutcome;
  /** RFC 3463 enhanced status, e.g. `5.1.1`. */
  readonly status: string;
  /** The reply that decided it (`550 5.1.1 No such user`), or our own words when no server answered. */
  readonly reply: string;
  /** The server that answered, when one did (RFC 3464 Remote-MTA). */
  readonly remoteMta?: string;
}

export interface EgressTransport {
  readonly mode: string;
  /** Never throws for delivery problems: they become per-recipient results. */
  send(message: OutboundMessage): Promise<RecipientResult[]>;
  close(): Promise<void>;
}

/** RFC 3463 §2: an enhanced status at the start of the reply text, else one implied by the basic code. */
export function statusOfReply(reply: string): string {
  const code = Number(reply.slice(0, 3));
  const enhanced = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply)?.[1];
  if (enhanced && enhanced[0] === String(code)[0]) return enhanced;
  if (code >= 500) return '5.0.0';
  if (code >= 400) return '4.0.0';
  return '2.0.0';
}

/** RFC 5321 §4.2.1: 2yz done, 4yz try again later, 5yz do not repeat as is. */
export function resultOfReply(recipient: string, reply: string, remoteMta?: string): RecipientResult {
  const code = Number(reply.slice(0, 3));
  const outcome: RecipientOutcome = code >= 200 && code < 300 ? 'delivered' : code >= 500 && code < 600 ? 'failed' : 'deferred';
  const cleanReply = reply.replace(/\s+/g, ' ').trim();
  return {
    recipient,
    outcome,
    status: outcome === 'deferred' && code < 400 ? '4.0.0' : statusOfReply(cleanReply),
    reply: cleanReply,
    remoteMta,
  };
}

/** The same result for every recipient: a connection that failed, a host that does not exist, … */
export function sameResultForAll(recipients: readonly string[], result: Omit<RecipientResult, 'recipient'>): RecipientResult[] {
  return recipients.map((recipient) => ({ ...result, recipient }));
}
