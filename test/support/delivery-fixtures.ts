// Shared by the delivery tests: a DNS stub serving DKIM keys and DMARC records, DKIM signing with a
// key generated in the test, spooling a message as the SMTP service would, and the use case's deps.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { dkimSign } from 'mailauth';
import { silentLogger } from '../../core/log/logger.js';
import type { EnvelopeRecipient, InboundDeliveryJob, SmtpClientInfo, SpfVerdict } from '../../core/mail/jobs.js';
import { createStructureParser } from '../../core/mime/index.js';
import type { Storage } from '../../core/ports/index.js';
import { deliveryStorage, type DeliveryDeps } from '../../core/delivery/deliver-inbound-job.js';
import type { DnsResolver } from '../../core/delivery/message-authentication.js';
import { RuleBasedSpamScorer } from '../../core/delivery/spam/rule-based-spam-scorer.js';

/** A DNS zone in memory: TXT records by name; anything else is NXDOMAIN, like a real resolver says. */
export class StubDns {
  private readonly txt = new Map<string, string[]>();

  setTxt(name: string, value: string): void {
    this.txt.set(name.toLowerCase(), [value]);
  }

  readonly resolver: DnsResolver = async (name, rrtype) => {
    const records = rrtype === 'TXT' ? this.txt.get(name.toLowerCase()) : undefined;
    if (!records) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return records.map((record) => [record]);
  };
}

export interface DkimTestKey {
  readonly domain: string;
  readonly selector: string;
  readonly privateKeyPem: string;
}

/** A fresh RSA key for `domain`, published in `dns` (RFC 6376 §3.6.1 key record). */
export function publishDkimKey(dns: StubDns, domain: string, selector = 'test'): DkimTestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  dns.setTxt(`${selector}._domainkey.${domain}`, `v=DKIM1; k=rsa; p=${spki}`);
  return { domain, selector, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** The message with its DKIM-Signature field prepended. */
export async function dkimSigned(message: string, key: DkimTestKey): Promise<string> {
  const signed = await dkimSign(message, {
    // mailauth reads signatureData (its typings also demand the single-signature fields).
    signingDomain: key.domain,
    selector: key.selector,
    privateKey: key.privateKeyPem,
    signatureData: [{ signingDomain: key.domain, selector: key.selector, privateKey: key.privateKeyPem }],
  });
  if (!/^DKIM-Signature:/i.test(signed.signatures)) throw new Error('signing produced no DKIM-Signature');
  if (signed.errors.length > 0) throw new Error(`signing failed: ${JSON.stringify(signed.errors)}`);
  return signed.signatures + message;
}

export function textMessage(fields: { from: string; to: string; subject: string; body?: string; extraHeaders?: string }): string {
  return (
    `From: ${fields.from}\r\nTo: ${fields.to}\r\nSubject: ${fields.subject}\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n` +
    `Message-ID: <${randomUUID()}@sender.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n${fields.extraHeaders ?? ''}\r\n` +
    `${fields.body ?? 'Hello there.\r\n'}`
  );
}

export interface SpoolOptions {
  readonly mailFrom: string;
  readonly recipients: readonly (string | EnvelopeRecipient)[];
  readonly client?: Partial<SmtpClientInfo>;
  readonly spf?: SpfVerdict;
  readonly dnsblHits?: readonly string[];
  readonly dsnReturn?: 'FULL' | 'HDRS';
}

/** Writes the message to the spool and returns the job the SMTP service would have enqueued. */
export async function spoolMessage(storage: Storage, message: string | Buffer, options: SpoolOptions): Promise<InboundDeliveryJob> {
  const blob = await storage.blobs.put(Readable.from([Buffer.from(message)]), { prefix: 'spool/' });
  return {
    kind: 'inbound',
    messageId: randomUUID(),
    blobKey: blob.key,
    sizeBytes: blob.sizeBytes,
    envelope: {
      mailFrom: options.mailFrom,
      recipients: options.recipients.map((recipient) => (typeof recipient === 'string' ? { address: recipient } : recipient)),
      dsnReturn: options.dsnReturn,
    },
    client: { ip: '192.0.2.10', helo: 'mail.sender.test', tls: true, ...options.client },
    spf: options.spf,
    dnsblHits: options.dnsblHits,
    receivedAt: new Date().toISOString(),
  };
}

export interface DeliveryTestBed {
  readonly deps: DeliveryDeps;
  readonly dns: StubDns;
  cleanup(): Promise<void>;
}

export async function deliveryTestBed(storage: Storage, overrides: Partial<DeliveryDeps> = {}): Promise<DeliveryTestBed> {
  const scratchDir = await mkdtemp(path.join(tmpdir(), 'yubin-delivery-scratch-'));
  const dns = new StubDns();
  return {
    dns,
    deps: {
      storage: deliveryStorage(storage, silentLogger),
      hostname: 'mx.example.test',
      dnsResolver: dns.resolver,
      spamScorer: new RuleBasedSpamScorer(),
      createStructureParser: () => createStructureParser(),
      srsSecret: 'test-srs-secret',
      scratchDir,
      logger: silentLogger,
      ...overrides,
    },
    cleanup: () => rm(scratchDir, { recursive: true, force: true }),
  };
}

export async function readBlob(storage: Storage, key: string, range?: { start: number; end: number }): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await storage.blobs.get(key, range)) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** Every message in the user's mailbox of that name, with its stored structure. */
export async function mailboxContents(storage: Storage, userId: string, name: string) {
  const mailbox = await storage.mailIndex.getMailbox(userId, name);
  if (!mailbox) return [];
  const uids = await storage.mailIndex.listUids(mailbox.id);
  return storage.mailIndex.getMessages(mailbox.id, uids);
}
