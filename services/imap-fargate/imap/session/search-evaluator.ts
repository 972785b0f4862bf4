// Evaluates SEARCH keys against index rows. Flags, dates, sizes, UIDs and MODSEQ come from the
// index; SUBJECT/FROM/TO/CC/BCC and SENT* from the cached envelope; other HEADER keys read the
// header byte range; BODY/TEXT stream the blob (the only keys whose cost grows with message size).
import type { EnvelopeAddress } from '../../../../core/mail/message-structure.js';
import type { MessageSummary } from '../../../../core/ports/index.js';
import { StringDecoder } from 'node:string_decoder';
import type { SearchKey } from '../protocol/search-keys.js';
import { sequenceSetContains } from '../protocol/sequence-set.js';
import { decodeEncodedWords } from '../../../../core/mime/index.js';
import type { ImapSession } from './session.js';
import type { MailboxView } from './mailbox-view.js';
import { envelopeOf, structureOf, type LoadedMessage, type MessageDetail } from './message-batches.js';

/** 0: index row · 1: cached envelope · 2: header bytes (needs the structure's offsets) · 3: whole body. Cheap keys run first. */
export function keyCost(key: SearchKey): number {
  switch (key.kind) {
    case 'header':
      return ENVELOPE_FIELDS.has(key.field) ? 1 : 2;
    case 'sentdate':
      return 1;
    case 'body':
    case 'text':
      return 3;
    case 'not':
      return keyCost(key.key);
    case 'or':
      return Math.max(keyCost(key.left), keyCost(key.right));
    case 'and':
      return Math.max(0, ...key.keys.map(keyCost));
    default:
      return 0;
  }
}

/** What the index must load to evaluate a key of this cost. */
export function searchDetail(key: SearchKey): MessageDetail {
  const cost = keyCost(key);
  return cost === 0 ? 'summary' : cost === 1 ? 'envelope' : 'structure';
}

const dayOf = (date: Date) => Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());

function compareDay(value: Date, op: 'before' | 'on' | 'since', target: Date): boolean {
  const [a, b] = [dayOf(value), dayOf(target)];
  return op === 'before' ? a < b : op === 'on' ? a === b : a >= b;
}

/** Header keys answered from the envelope (RFC 3501 §7.4.2 ENVELOPE fields). */
const ENVELOPE_FIELDS = new Set(['subject', 'from', 'to', 'cc', 'bcc']);

function addressText(addresses: readonly EnvelopeAddress[] | null): string {
  return (addresses ?? []).map((a) => `${a.name === null ? '' : decodeEncodedWords(a.name)} <${a.mailbox ?? ''}@${a.host ?? ''}>`).join(', ');
}

export class SearchEvaluator {
  constructor(
    private readonly session: ImapSession,
    private readonly view: MailboxView,
  ) {}

  async matches(key: SearchKey, message: LoadedMessage): Promise<boolean> {
    switch (key.kind) {
      case 'all':
        return true;
      // RFC 3501 §6.4.4: NEW is RECENT UNSEEN, OLD is NOT RECENT.
      case 'recent':
        return this.view.recent.has(message.uid);
      case 'old':
        return !this.view.recent.has(message.uid);
      case 'new':
        return this.view.recent.has(message.uid) && !message.flags.includes('\\Seen');
      case 'flag':
        return message.flags.some((f) => f.toLowerCase() === key.flag.toLowerCase()) === key.present;
      case 'internaldate':
        return compareDay(message.internalDate, key.op, key.date);
      case 'sentdate': {
        const sent = Date.parse(envelopeOf(message).date ?? '');
        return Number.isFinite(sent) && compareDay(new Date(sent), key.op, key.date);
      }
      case 'larger':
        return message.sizeBytes > key.bytes;
      case 'smaller':
        return message.sizeBytes < key.bytes;
      case 'modseq':
        return message.modseq >= key.modseq;
      case 'uid':
      case 'sequence': {
        const largest = key.kind === 'uid' ? this.view.largestUid : this.view.exists;
        if (key.set.kind === 'saved') return this.view.savedUids.includes(message.uid);
        return sequenceSetContains(key.set.ranges, key.kind === 'uid' ? message.uid : this.view.sequenceOf(message.uid), largest);
      }
      case 'not':
        return !(await this.matches(key.key, message));
      case 'or':
        return (await this.matches(key.left, message)) || this.matches(key.right, message);
      case 'and': {
        for (const sub of [...key.keys].sort((a, b) => keyCost(a) - keyCost(b))) if (!(await this.matches(sub, message))) return false;
        return true;
      }
      case 'header':
        return this.headerMatches(key.field, key.value, message);
      case 'body':
      case 'text': {
        const start = key.kind === 'body' ? structureOf(message).root.bodyStart : 0;
        return this.streamContains(message, start, key.value);
      }
    }
  }

  private async headerMatches(field: string, value: string, message: LoadedMessage): Promise<boolean> {
    const needle = value.toLowerCase();
    const envelope = envelopeOf(message);
    const fromEnvelope: Record<string, () => string | null> = {
      subject: () => (envelope.subject === null ? null : decodeEncodedWords(envelope.subject)),
      from: () => addressText(envelope.from),
      to: () => addressText(envelope.to),
      cc: () => addressText(envelope.cc),
      bcc: () => addressText(envelope.bcc),
    };
    const quick = fromEnvelope[field];
    if (quick !== undefined) {
      const text = quick();
      return text !== null && text.toLowerCase().includes(needle);
    }
    const header = await this.read(message, 0, structureOf(message).root.bodyStart);
    const unfolded = header.toString('utf8').replace(/\r?\n[ \t]/gu, ' ');
    for (const line of unfolded.split(/\r?\n/u)) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === field && decodeEncodedWords(line.slice(colon + 1).trim()).toLowerCase().includes(needle)) return true;
    }
    return false;
  }

  private async read(message: MessageSummary, start: number, end: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.session.deps.storage.blobs.get(message.blobKey, { start, end })) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks);
  }

  /** Case-insensitive substring search over the raw bytes as UTF-8, chunk by chunk (no whole message in memory). */
  private async streamContains(message: MessageSummary, start: number, value: string): Promise<boolean> {
    const needle = value.toLowerCase();
    if (needle === '') return true;
    const decoder = new StringDecoder('utf8');
    let carry = '';
    const stream = await this.session.deps.storage.blobs.get(message.blobKey, { start, end: message.sizeBytes });
    for await (const chunk of stream) {
      const text = carry + decoder.write(Buffer.from(chunk as Uint8Array)).toLowerCase();
      if (text.includes(needle)) {
        stream.destroy();
        return true;
      }
      carry = text.slice(-needle.length + 1 || text.length);
    }
    return (carry + decoder.end().toLowerCase()).includes(needle);
  }
}
