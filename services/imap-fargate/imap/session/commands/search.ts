// SEARCH and UID SEARCH (RFC 3501 §6.4.4) with ESEARCH RETURN options (RFC 4731), SEARCHRES `$`
// (RFC 5182) and the MODSEQ key (RFC 7162 §3.1.5). Cost: see docs/imap.md "SEARCH cost".
import { parseSearch, type SearchKey } from '../../protocol/search-keys.js';
import { formatSequenceSet } from '../../protocol/sequence-set.js';
import { imapString } from '../../protocol/imap-strings.js';
import { SELECTED, type Command } from '../command.js';
import { BATCH_SIZE, messageBatches } from '../message-batches.js';
import { no } from '../replies.js';
import { SearchEvaluator, type SearchDetail, type SearchedMessage } from '../search-evaluator.js';
import type { MailIndex } from '../../../../../core/ports/index.js';

/**
 * Messages evaluated at once: keys that read message text wait on blob reads (S3 GETs on AWS), so a
 * few run side by side; the bound keeps one SEARCH from taking every file handle or socket.
 */
const CONCURRENT_MESSAGES = 8;

async function* searchBatches(index: MailIndex, mailboxId: string, uids: readonly number[], detail: SearchDetail): AsyncGenerator<SearchedMessage[]> {
  if (detail !== 'uid') return yield* messageBatches(index, mailboxId, uids, detail);
  for (let i = 0; i < uids.length; i += BATCH_SIZE) yield uids.slice(i, i + BATCH_SIZE).map((uid) => ({ uid }));
}

/** `test` of every message, at most CONCURRENT_MESSAGES at a time; results in input order. */
async function testAll<T>(items: readonly T[], test: (item: T) => Promise<boolean>): Promise<boolean[]> {
  const results = new Array<boolean>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await test(items[at] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_MESSAGES, items.length) }, worker));
  return results;
}

function usesModseq(key: SearchKey): boolean {
  if (key.kind === 'modseq') return true;
  if (key.kind === 'not') return usesModseq(key.key);
  if (key.kind === 'or') return usesModseq(key.left) || usesModseq(key.right);
  if (key.kind === 'and') return key.keys.some(usesModseq);
  return false;
}

export const search: Command = {
  states: SELECTED,
  holdsExpunges: true,
  async run({ session, tag, args, byUid }) {
    const view = session.selected!;
    const request = parseSearch(args);
    if (request.charset !== null && request.charset !== 'UTF-8' && request.charset !== 'US-ASCII') {
      throw no('BADCHARSET (UTF-8 US-ASCII)', 'Only UTF-8 and US-ASCII searches are supported');
    }
    const withModseq = usesModseq(request.key);
    if (withModseq) session.enabled.add('CONDSTORE');
    const evaluator = await SearchEvaluator.prepare(session, view, request.key);
    const index = session.deps.storage.mailIndex;
    const candidates = view.allUids.filter((uid) => !view.isExpunged(uid));
    const found: number[] = [];
    let highestModseq = 0;
    for await (const loaded of searchBatches(index, view.mailbox.id, candidates, evaluator.detailFor(request.key))) {
      const batch = await evaluator.withTextSources(loaded);
      const matched = await testAll(batch, (message) => evaluator.matches(request.key, message));
      batch.forEach((message, i) => {
        if (!matched[i]) return;
        found.push(message.uid);
        if ('modseq' in message) highestModseq = Math.max(highestModseq, message.modseq);
      });
    }
    const ids = byUid ? found : found.map((uid) => view.sequenceOf(uid));
    // IMAP4rev2 (RFC 9051 §6.4.4) always answers in ESEARCH form.
    const returns = request.returns ?? (session.enabled.has('IMAP4REV2') ? ['ALL' as const] : null);
    if (returns === null) {
      const modseq = withModseq && ids.length > 0 ? ` (MODSEQ ${highestModseq})` : '';
      session.io.write(`* SEARCH${ids.map((id) => ' ' + id).join('')}${modseq}\r\n`);
      return { status: 'OK', text: 'SEARCH completed' };
    }
    const wanted = returns.length === 0 ? ['ALL'] : returns;
    if (wanted.includes('SAVE')) view.savedUids = found;
    const parts = [`(TAG ${imapString(tag, { utf8: false })})`];
    if (byUid) parts.push('UID');
    if (ids.length > 0) {
      if (wanted.includes('MIN')) parts.push(`MIN ${Math.min(...ids)}`);
      if (wanted.includes('MAX')) parts.push(`MAX ${Math.max(...ids)}`);
      if (wanted.includes('ALL')) parts.push(`ALL ${formatSequenceSet([...ids].sort((a, b) => a - b))}`);
      if (withModseq) parts.push(`MODSEQ ${highestModseq}`);
    }
    if (wanted.includes('COUNT')) parts.push(`COUNT ${ids.length}`);
    // RFC 5182 §2.4: SAVE alone produces no ESEARCH response.
    if (!(wanted.length === 1 && wanted[0] === 'SAVE')) session.io.write(`* ESEARCH ${parts.join(' ')}\r\n`);
    return { status: 'OK', text: 'SEARCH completed' };
  },
};
