// FETCH and UID FETCH (RFC 3501 §6.4.5) with CHANGEDSINCE / VANISHED (RFC 7162 §3.1.4, §3.2.6).
// A non-PEEK body fetch sets \Seen first (RFC 3501 §6.4.5) and reports the new FLAGS with the data.
import { parseFetchItems, parseFetchModifiers, type FetchItem } from '../../protocol/fetch-items.js';
import { formatSequenceSet, sequenceSetContains } from '../../protocol/sequence-set.js';
import { ArgumentReader } from '../../protocol/token-readers.js';
import { SELECTED, type Command } from '../command.js';
import type { Readable } from 'node:stream';
import { answeredFromIndex, fetchDetail, formatIndexedResponse, readsWholeMessage, writeFetchResponse } from '../fetch-responder.js';
import { messageBatches, type LoadedMessage } from '../message-batches.js';
import { bad } from '../replies.js';
import { absentUidSet } from '../vanished-fallback.js';

/** Blobs opened and first chunks read ahead of the one being sent: hides per-file (or per-S3-GET) latency. */
const READ_AHEAD = 16;

export const fetch: Command = {
  states: SELECTED,
  holdsExpunges: true,
  async run({ session, args, byUid }) {
    const view = session.selected!;
    const reader = new ArgumentReader(args, byUid ? 'UID FETCH' : 'FETCH');
    const set = reader.sequenceSet('sequence set');
    let items = parseFetchItems(reader.next('fetch items'));
    const modifiers = parseFetchModifiers(reader.remaining > 0 ? reader.list('fetch modifiers') : []);
    reader.end();
    if (modifiers.vanished && (!byUid || !session.enabled.has('QRESYNC'))) throw bad('VANISHED needs UID FETCH after ENABLE QRESYNC');
    if (modifiers.changedSince !== null) session.enabled.add('CONDSTORE');
    const extra: FetchItem[] = [];
    // RFC 3501 §6.4.8: UID FETCH always returns UID; RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ.
    if (byUid && !items.some((i) => i.kind === 'uid')) extra.push({ kind: 'uid' });
    if ((modifiers.changedSince !== null || session.enabled.has('CONDSTORE')) && !items.some((i) => i.kind === 'modseq') && modifiers.changedSince !== null) extra.push({ kind: 'modseq' });
    items = [...items, ...extra];
    const setsSeen = !view.readOnly && items.some((item) => item.kind === 'section' && !item.peek);
    if (setsSeen && !items.some((i) => i.kind === 'flags')) items.push({ kind: 'flags' });

    const uids = view.resolve(set, byUid).filter((uid) => !view.isExpunged(uid));
    const index = session.deps.storage.mailIndex;
    if (modifiers.vanished && set.kind === 'ranges') {
      const changes = await index.changesSince(view.mailbox.id, modifiers.changedSince!);
      const largest = view.largestUid;
      // Expunges after CHANGEDSINCE may have been forgotten: report every UID of the set not present (RFC 7162 §3.2.6).
      const vanished = changes.vanishedComplete
        ? formatSequenceSet(changes.vanished.filter((uid) => sequenceSetContains(set.ranges, uid, largest)))
        : absentUidSet(await index.listUids(view.mailbox.id), Math.max(largest, view.mailbox.uidNext - 1), { ranges: set.ranges, largest });
      if (vanished !== '') session.io.write(`* VANISHED (EARLIER) ${vanished}\r\n`);
    }
    const wholeMessage = readsWholeMessage(items);
    const indexedItems = answeredFromIndex(items) ? items : null;
    for await (const batch of messageBatches(index, view.mailbox.id, uids, fetchDetail(items))) {
      let messages = batch;
      if (modifiers.changedSince !== null) messages = messages.filter((m) => m.modseq > modifiers.changedSince!);
      if (setsSeen) messages = await markSeen(session, messages);
      if (indexedItems !== null) {
        // Header sync: the batch's responses as one string, with no await per message.
        let text = '';
        for (const message of messages) text += formatIndexedResponse(session, view.sequenceOf(message.uid), message, indexedItems);
        session.io.write(text);
        await session.io.drain();
        continue;
      }
      const opened: (Promise<Readable> | undefined)[] = [];
      const open = (k: number) => {
        const next = messages[k];
        if (!wholeMessage || next === undefined || opened[k] !== undefined) return;
        // The size from the index bounds the read: no trailing read to find the end of the file.
        const stream = session.deps.storage.blobs.get(next.blobKey, { start: 0, end: next.sizeBytes });
        // read(0) starts filling the stream's buffer (one chunk, ≤ 128 KiB locally) while earlier messages are
        // sent. A missing blob or a read error is reported when its turn comes (the stream keeps its
        // error for io.pipe), not as an unhandled rejection or an unhandled 'error' event.
        stream.then((readable) => readable.on('error', () => undefined).read(0), () => undefined);
        opened[k] = stream;
      };
      try {
        for (let k = 0; k < READ_AHEAD; k++) open(k);
        for (let i = 0; i < messages.length; i++) {
          open(i + READ_AHEAD);
          const message = messages[i] as LoadedMessage;
          const stream = opened[i];
          opened[i] = undefined;
          await writeFetchResponse(session, view.sequenceOf(message.uid), message, items, stream);
        }
      } finally {
        for (const pending of opened) void pending?.then((s) => s.destroy(), () => undefined);
      }
      await session.io.drain();
    }
    return { status: 'OK', text: 'FETCH completed' };
  },
};

async function markSeen(session: Parameters<Command['run']>[0]['session'], messages: LoadedMessage[]) {
  const view = session.selected!;
  const unseen = messages.filter((m) => !m.flags.includes('\\Seen')).map((m) => m.uid);
  if (unseen.length === 0) return messages;
  const result = await session.deps.storage.mailIndex.updateFlags(view.mailbox.id, { uids: unseen, operation: 'add', flags: ['\\Seen'] });
  const updated = new Map(result.updated.map((u) => [u.uid, u]));
  view.markDirty();
  return messages.map((m) => {
    const change = updated.get(m.uid);
    if (change === undefined) return m;
    view.noteReported(m.uid, change.modseq);
    return { ...m, flags: change.flags, modseq: change.modseq };
  });
}
