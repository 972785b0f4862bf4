// Evaluates SEARCH keys (RFC 3501 §6.4.4). Before the pass over the mailbox, keys the storage can
// answer for the whole mailbox at once are looked up: SUBJECT/FROM/TO/CC/BCC (and HEADER on those
// fields) by MailIndex.searchHeaders, TEXT/BODY candidates by the TextIndex. Then, per message:
// flags, dates, sizes, UIDs and MODSEQ from the index row; SENT* from the cached envelope; other
// HEADER keys from the header byte range; TEXT/BODY by reading the message's decoded text — only for
// candidates the index cannot settle and messages not indexed yet, or every message without a text index.
import { INDEXED_SEARCH_HEADERS, type IndexedSearchHeader } from '../../../../core/mail/search-text.js';
import type { MessageSummary, StoredMessage, TextCandidates } from '../../../../core/ports/index.js';
import { messageTextContains } from '../../../../core/search/message-text.js';
import type { SearchKey } from '../protocol/search-keys.js';
import { sequenceSetContains } from '../protocol/sequence-set.js';
import { decodeEncodedWords } from '../../../../core/mime/index.js';
import type { ImapSession } from './session.js';
import type { MailboxView } from './mailbox-view.js';
import { envelopeOf, structureOf, type LoadedMessage, type MessageDetail } from './message-batches.js';

/** What SEARCH loads per message: nothing but its UID when every key was looked up beforehand. */
export type SearchDetail = 'uid' | MessageDetail;
export type SearchedMessage = LoadedMessage | { readonly uid: number };

const DETAILS: readonly SearchDetail[] = ['uid', 'summary', 'envelope', 'structure'];

const isIndexedHeader = (field: string): field is IndexedSearchHeader => (INDEXED_SEARCH_HEADERS as readonly string[]).includes(field);

/** A TEXT/BODY key looked up in the text index: matches as they are; the other two sets are read. */
interface TextLookup {
  readonly matches: ReadonlySet<number>;
  readonly candidates: ReadonlySet<number>;
  readonly unindexed: ReadonlySet<number>;
}

const dayOf = (date: Date) => Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());

function compareDay(value: Date, op: 'before' | 'on' | 'since', target: Date): boolean {
  const [a, b] = [dayOf(value), dayOf(target)];
  return op === 'before' ? a < b : op === 'on' ? a === b : a >= b;
}

function summaryOf(message: SearchedMessage): MessageSummary {
  if (!('flags' in message)) throw new Error('the index row is needed but was not loaded');
  return message;
}

export class SearchEvaluator {
  private constructor(
    private readonly session: ImapSession,
    private readonly view: MailboxView,
    private readonly headerMatches: ReadonlyMap<SearchKey, ReadonlySet<number>>,
    private readonly textLookups: ReadonlyMap<SearchKey, TextLookup>,
  ) {}

  /** Looks up every key the storage answers for the whole mailbox, once per SEARCH. */
  static async prepare(session: ImapSession, view: MailboxView, key: SearchKey): Promise<SearchEvaluator> {
    const { mailIndex, textIndex } = session.deps.storage;
    const headerMatches = new Map<SearchKey, ReadonlySet<number>>();
    const textLookups = new Map<SearchKey, TextLookup>();
    const visit = async (node: SearchKey): Promise<void> => {
      switch (node.kind) {
        case 'header':
          if (isIndexedHeader(node.field)) headerMatches.set(node, new Set(await mailIndex.searchHeaders(view.mailbox.id, node.field, node.value)));
          return;
        case 'body':
        case 'text': {
          const found: TextCandidates | null = textIndex ? await textIndex.findCandidates(view.mailbox.id, node.kind, node.value) : null;
          if (found !== null) textLookups.set(node, { matches: new Set(found.matches), candidates: new Set(found.candidates), unindexed: new Set(found.unindexed) });
          return;
        }
        case 'not':
          return visit(node.key);
        case 'or':
          await visit(node.left);
          return visit(node.right);
        case 'and':
          for (const sub of node.keys) await visit(sub);
          return;
        default:
          return;
      }
    };
    await visit(key);
    return new SearchEvaluator(session, view, headerMatches, textLookups);
  }

  /** The least each message must be loaded with for `key`. */
  detailFor(key: SearchKey): SearchDetail {
    switch (key.kind) {
      case 'all':
      case 'old':
      case 'recent':
      case 'uid':
      case 'sequence':
        return 'uid';
      case 'header':
        return this.headerMatches.has(key) ? 'uid' : 'structure';
      case 'sentdate':
        return 'envelope';
      case 'body':
      case 'text':
        // withTextSources loads the messages to verify; without a lookup every message is read.
        return this.textLookups.has(key) ? 'uid' : 'structure';
      case 'not':
        return this.detailFor(key.key);
      case 'or':
        return this.widest([key.left, key.right]);
      case 'and':
        return this.widest(key.keys);
      default: // flags, dates, sizes, MODSEQ and NEW (recent and not \Seen)
        return 'summary';
    }
  }

  /** Evaluation order inside AND: 0 looked up or index row · 1 envelope · 2 header bytes · 3 message text. */
  private rank(key: SearchKey): number {
    if (key.kind === 'body' || key.kind === 'text') return 3;
    if (key.kind === 'not') return this.rank(key.key);
    if (key.kind === 'or') return Math.max(this.rank(key.left), this.rank(key.right));
    if (key.kind === 'and') return Math.max(0, ...key.keys.map((sub) => this.rank(sub)));
    return DETAILS.indexOf(this.detailFor(key)) - 1;
  }

  private widest(keys: readonly SearchKey[]): SearchDetail {
    return DETAILS[Math.max(0, ...keys.map((sub) => DETAILS.indexOf(this.detailFor(sub))))] as SearchDetail;
  }

  async matches(key: SearchKey, message: SearchedMessage): Promise<boolean> {
    switch (key.kind) {
      case 'all':
        return true;
      // RFC 3501 §6.4.4: NEW is RECENT UNSEEN, OLD is NOT RECENT.
      case 'recent':
        return this.view.recent.has(message.uid);
      case 'old':
        return !this.view.recent.has(message.uid);
      case 'new':
        return this.view.recent.has(message.uid) && !summaryOf(message).flags.includes('\\Seen');
      case 'flag':
        return summaryOf(message).flags.some((f) => f.toLowerCase() === key.flag.toLowerCase()) === key.present;
      case 'internaldate':
        return compareDay(summaryOf(message).internalDate, key.op, key.date);
      case 'sentdate': {
        const sent = Date.parse(envelopeOf(message as LoadedMessage).date ?? '');
        return Number.isFinite(sent) && compareDay(new Date(sent), key.op, key.date);
      }
      case 'larger':
        return summaryOf(message).sizeBytes > key.bytes;
      case 'smaller':
        return summaryOf(message).sizeBytes < key.bytes;
      case 'modseq':
        return summaryOf(message).modseq >= key.modseq;
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
        for (const sub of [...key.keys].sort((a, b) => this.rank(a) - this.rank(b))) if (!(await this.matches(sub, message))) return false;
        return true;
      }
      case 'header': {
        const looked = this.headerMatches.get(key);
        return looked !== undefined ? looked.has(message.uid) : this.headerBytesMatch(key.field, key.value, message as StoredMessage);
      }
      case 'body':
      case 'text':
        return this.textMatches(key, message);
    }
  }

  /**
   * The batch with the messages a looked-up TEXT/BODY key will read (unindexed ones and candidates
   * to verify) loaded with their structure, in one index read; the rest stay as they are.
   */
  async withTextSources(batch: readonly SearchedMessage[]): Promise<SearchedMessage[]> {
    const lookups = [...this.textLookups.values()];
    const needsText = (uid: number) => lookups.some((lookup) => lookup.unindexed.has(uid) || lookup.candidates.has(uid));
    const wanted = batch.filter((message) => !('structure' in message) && needsText(message.uid)).map((message) => message.uid);
    if (wanted.length === 0) return [...batch];
    const stored = new Map((await this.session.deps.storage.mailIndex.getMessages(this.view.mailbox.id, wanted)).map((message) => [message.uid, message]));
    return batch.map((message) => stored.get(message.uid) ?? message);
  }

  private async textMatches(key: SearchKey & { kind: 'body' | 'text' }, message: SearchedMessage): Promise<boolean> {
    const lookup = this.textLookups.get(key);
    if (lookup !== undefined) {
      if (lookup.matches.has(message.uid)) return true;
      if (!lookup.candidates.has(message.uid) && !lookup.unindexed.has(message.uid)) return false;
    }
    // Not loaded by withTextSources: expunged by another session meanwhile, so it matches nothing.
    return 'structure' in message && messageTextContains(this.session.deps.storage.blobs, message, key.kind, key.value);
  }

  /** HEADER on fields the index does not keep: the header's byte range, unfolded and RFC 2047-decoded. */
  private async headerBytesMatch(field: string, value: string, message: StoredMessage): Promise<boolean> {
    const needle = value.toLowerCase();
    const chunks: Buffer[] = [];
    const stream = await this.session.deps.storage.blobs.get(message.blobKey, { start: 0, end: structureOf(message).root.bodyStart });
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
    const unfolded = Buffer.concat(chunks).toString('utf8').replace(/\r?\n[ \t]/gu, ' ');
    for (const line of unfolded.split(/\r?\n/u)) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === field && decodeEncodedWords(line.slice(colon + 1).trim()).toLowerCase().includes(needle)) return true;
    }
    return false;
  }
}
