// SELECT and EXAMINE (RFC 3501 §6.3.1-2, RFC 9051 §6.3.2) with the CONDSTORE and QRESYNC select
// parameters (RFC 7162 §3.1.8, §3.2.5): a QRESYNC client gets VANISHED (EARLIER) and changed flags.
import type { Token } from '../../protocol/command-tokens.js';
import { formatSequenceSet, parseSequenceSet, sequenceSetContains } from '../../protocol/sequence-set.js';
import { ArgumentReader } from '../../protocol/token-readers.js';
import { AUTHENTICATED, type Command, type CommandContext } from '../command.js';
import { MailboxView } from '../mailbox-view.js';
import { absentUidSet } from '../vanished-fallback.js';
import { bad, no } from '../replies.js';
import type { ImapSession } from '../session.js';

export const SYSTEM_FLAGS = '\\Answered \\Flagged \\Deleted \\Seen \\Draft';

interface QresyncParams {
  readonly uidValidity: number;
  readonly modseq: number;
  readonly knownUids: string | null;
}

function parseSelectParams(session: ImapSession, params: readonly Token[]): QresyncParams | null {
  let qresync: QresyncParams | null = null;
  for (let i = 0; i < params.length; i++) {
    const param = params[i] as Token;
    const name = param.kind === 'atom' ? param.value.toUpperCase() : '';
    if (name === 'CONDSTORE') {
      session.enabled.add('CONDSTORE');
    } else if (name === 'QRESYNC') {
      if (!session.enabled.has('QRESYNC')) throw bad('ENABLE QRESYNC first (RFC 7162 §3.2.3)');
      const reader = new ArgumentReader(new ArgumentReader(params.slice(i + 1), 'QRESYNC').list('parameters'), 'QRESYNC');
      i++;
      const uidValidity = reader.number('UIDVALIDITY');
      const modseq = reader.number('mod-sequence');
      const knownUids = reader.remaining > 0 && reader.peek()?.kind === 'atom' ? reader.atom('known UIDs') : null;
      qresync = { uidValidity, modseq, knownUids };
    } else {
      throw bad('Unknown SELECT parameter');
    }
  }
  return qresync;
}

async function openMailbox(context: CommandContext, readOnly: boolean) {
  const { session, args } = context;
  const reader = new ArgumentReader(args, context.verb);
  const name = reader.mailbox(session.utf8);
  const params = reader.remaining > 0 ? reader.list('select parameters') : [];
  reader.end();
  const qresync = parseSelectParams(session, params);
  const wasSelected = session.selected !== null;
  session.setSelected(null);
  if (wasSelected) session.io.write('* OK [CLOSED] Previous mailbox closed\r\n');
  const index = session.deps.storage.mailIndex;
  const mailbox = await index.getMailbox(session.user!.id, name);
  if (mailbox === null) throw no('NONEXISTENT', 'No such mailbox');
  const view = await MailboxView.open(index, mailbox, readOnly);
  const out = session.io;
  out.write(`* FLAGS (${SYSTEM_FLAGS})\r\n`);
  out.write(`* OK [PERMANENTFLAGS ${readOnly ? '()' : `(${SYSTEM_FLAGS} \\*)`}] Flags permitted\r\n`);
  out.write(`* ${view.exists} EXISTS\r\n`);
  if (session.seesRecent) {
    // RFC 3501 §2.3.2: SELECT claims the messages nobody has seen yet; EXAMINE only looks (§6.3.2).
    view.recent.add(readOnly ? { firstUid: mailbox.firstRecentUid, lastUid: mailbox.uidNext - 1 } : await index.claimRecent(mailbox.id));
    out.write(`* ${view.recentCount} RECENT\r\n`);
  }
  out.write(`* OK [UIDVALIDITY ${mailbox.uidValidity}] UIDs valid\r\n`);
  out.write(`* OK [UIDNEXT ${mailbox.uidNext}] Predicted next UID\r\n`);
  out.write(`* OK [HIGHESTMODSEQ ${mailbox.highestModseq}] Highest\r\n`);
  if (qresync !== null && qresync.uidValidity === mailbox.uidValidity) {
    const changes = await index.changesSince(mailbox.id, qresync.modseq);
    const known = qresync.knownUids === null ? null : parseSequenceSet(qresync.knownUids);
    const inKnown = (uid: number) => known === null || known.kind !== 'ranges' || sequenceSetContains(known.ranges, uid, Number.MAX_SAFE_INTEGER);
    // Expunges after the client's MODSEQ may have been forgotten: report every known UID not present.
    const vanished = changes.vanishedComplete
      ? formatSequenceSet(changes.vanished.filter(inKnown))
      : absentUidSet(view.allUids, mailbox.uidNext - 1, known?.kind === 'ranges' ? { ranges: known.ranges, largest: mailbox.uidNext - 1 } : undefined);
    if (vanished !== '') out.write(`* VANISHED (EARLIER) ${vanished}\r\n`);
    for (const message of changes.changed) {
      const seq = view.sequenceOf(message.uid);
      if (seq > 0) out.write(`* ${seq} FETCH (UID ${message.uid} FLAGS ${session.flagList(message.uid, message.flags)} MODSEQ (${message.modseq}))\r\n`);
    }
  }
  session.setSelected(view);
  return { status: 'OK' as const, code: readOnly ? 'READ-ONLY' : 'READ-WRITE', text: `${context.verb} completed` };
}

export const select: Command = { states: AUTHENTICATED, run: (context) => openMailbox(context, false) };
export const examine: Command = { states: AUTHENTICATED, run: (context) => openMailbox(context, true) };
