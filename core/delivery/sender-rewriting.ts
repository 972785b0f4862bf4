// Sender Rewriting Scheme (the SRS0/SRS1 scheme of Shevek's "Sender Rewriting Scheme" paper, as
// Postfix's postsrsd and Exim implement it): when we forward mail to another domain, the envelope
// sender becomes an address of ours, so the next hop's SPF check (RFC 7208 §1.2, forwarding)
// passes and bounces come back to us to be reversed. The hash stops others from using us as a relay.
import { createHmac } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const DAY_MS = 86_400_000;
/** Timestamps are days modulo 1024 in two base32 letters; a bounce older than this is refused. */
const MAX_AGE_DAYS = 21;

export interface SrsOptions {
  readonly secret: string;
  /** A domain we receive mail for: the rewritten sender lives there. */
  readonly forwardingDomain: string;
  readonly now?: Date;
}

function timestamp(now: Date): string {
  const days = Math.floor(now.getTime() / DAY_MS) % 1024;
  return BASE32[days >> 5]! + BASE32[days & 31]!;
}

function hash(secret: string, ...parts: string[]): string {
  return createHmac('sha1', secret).update(parts.join('').toLowerCase()).digest('base64').slice(0, 4);
}

/**
 * Rewrites `local@domain` to `SRS0=HHHH=TT=domain=local@forwardingDomain`; an SRS address from an
 * earlier forwarder becomes `SRS1=HHHH=thatForwarder==HHHH=TT=…` so the chain does not grow.
 * The null sender stays null (bounces are never rewritten).
 */
export function srsForward(sender: string, options: SrsOptions): string {
  if (sender === '') return '';
  const at = sender.lastIndexOf('@');
  const local = sender.slice(0, at);
  const domain = sender.slice(at + 1);
  if (domain.toLowerCase() === options.forwardingDomain.toLowerCase() && /^SRS[01][=+-]/i.test(local)) return sender;
  const srs0 = /^SRS0([=+-])(.*)$/i.exec(local);
  if (srs0) {
    const opaque = srs0[2]!;
    return `SRS1=${hash(options.secret, domain, opaque)}=${domain}==${opaque}@${options.forwardingDomain}`;
  }
  const srs1 = /^SRS1[=+-]([^=]+)=([^=]+)=(.*)$/i.exec(local);
  if (srs1) {
    const [, , firstForwarder, opaque] = srs1;
    return `SRS1=${hash(options.secret, firstForwarder!, opaque!)}=${firstForwarder}=${opaque}@${options.forwardingDomain}`;
  }
  const stamp = timestamp(options.now ?? new Date());
  return `SRS0=${hash(options.secret, stamp, domain, local)}=${stamp}=${domain}=${local}@${options.forwardingDomain}`;
}

/** Reverses an SRS0 address of ours to the original sender; null when it is not ours, forged or expired. */
export function srsReverse(address: string, options: Omit<SrsOptions, 'forwardingDomain'>): string | null {
  const match = /^SRS0[=+-]([^=]{4})=([A-Z2-7]{2})=([^=]+)=(.+)@[^@]+$/i.exec(address);
  if (!match) return null;
  const [, mac, stamp, domain, local] = match as unknown as [string, string, string, string, string];
  if (mac !== hash(options.secret, stamp, domain, local)) return null;
  const stampDays = BASE32.indexOf(stamp[0]!.toUpperCase()) * 32 + BASE32.indexOf(stamp[1]!.toUpperCase());
  const today = Math.floor((options.now ?? new Date()).getTime() / DAY_MS) % 1024;
  if ((today - stampDays + 1024) % 1024 > MAX_AGE_DAYS) return null;
  return `${local}@${domain}`;
}
