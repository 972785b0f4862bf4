// LIST and LSUB (RFC 3501 §6.3.8-9) with LIST-EXTENDED selection/return options (RFC 5258),
// SPECIAL-USE attributes (RFC 6154) and LIST-STATUS (RFC 5819).
import type { Mailbox } from '../../../../../core/ports/index.js';
import type { Token } from '../../protocol/command-tokens.js';
import { decodeMutf7 } from '../../../../../core/mail/mutf7.js';
import { ArgumentReader, normalizeMailboxName } from '../../protocol/token-readers.js';
import { AUTHENTICATED, type Command, type CommandContext } from '../command.js';
import { WIRE_DELIMITER, wireMailboxName } from '../mailbox-names.js';
import { bad } from '../replies.js';
import { parseStatusItems, statusValues } from '../status-items.js';

/** `*` matches anything, `%` anything but the delimiter (RFC 3501 §6.3.8). */
function patternToRegExp(pattern: string): RegExp {
  const body = [...pattern].map((c) => (c === '*' ? '.*' : c === '%' ? '[^/]*' : c.replace(/[.+?^${}()|[\]\\]/gu, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'su');
}

function optionNames(tokens: readonly Token[]): string[] {
  return tokens.map((t) => (t.kind === 'atom' ? t.value.toUpperCase() : t.kind === 'list' ? '(' : ''));
}

async function listMailboxes(context: CommandContext, lsub: boolean) {
  const { session, args, verb } = context;
  const reader = new ArgumentReader(args, verb);
  const selection = !lsub && reader.peek()?.kind === 'list' ? optionNames(reader.list('selection options')) : [];
  const reference = reader.astring('reference');
  const patternToken = reader.next('mailbox pattern');
  const patterns = patternToken.kind === 'list' ? patternToken.items.map((t) => (t.kind === 'list' ? '' : t.value)) : [patternToken.value];
  let returns: string[] = [];
  let statusItems: string[] | null = null;
  if (!lsub && reader.remaining > 0) {
    if (reader.atom('RETURN').toUpperCase() !== 'RETURN') throw bad('Expected RETURN');
    const options = reader.list('return options');
    returns = optionNames(options);
    const statusAt = returns.indexOf('STATUS');
    if (statusAt >= 0) {
      const items = options[statusAt + 1];
      if (items?.kind !== 'list') throw bad('RETURN STATUS needs a list of items');
      statusItems = parseStatusItems(items.items);
    }
  }
  reader.end();
  const subscribedOnly = lsub || selection.includes('SUBSCRIBED');
  const specialOnly = selection.includes('SPECIAL-USE');
  const showSubscribed = lsub || subscribedOnly || returns.includes('SUBSCRIBED');

  if (patterns.length === 1 && patterns[0] === '') {
    session.io.write(`* ${verb} (\\Noselect) ${WIRE_DELIMITER} ""\r\n`);
    return { status: 'OK' as const, text: `${verb} completed` };
  }
  const decode = (text: string) => (session.utf8 ? text : decodeMutf7(text) ?? text);
  const matchers = patterns.map((p) => patternToRegExp(normalizeMailboxName(decode(reference + p))));
  const index = session.deps.storage.mailIndex;
  const mailboxes = await index.listMailboxes(session.user!.id);
  const hasChildren = (m: Mailbox) => mailboxes.some((other) => other.name.startsWith(m.name + '/'));
  for (const mailbox of mailboxes.sort((a, b) => (a.name === 'INBOX' ? -1 : b.name === 'INBOX' ? 1 : a.name.localeCompare(b.name)))) {
    if (!matchers.some((re) => re.test(mailbox.name))) continue;
    if (subscribedOnly && !mailbox.subscribed) continue;
    if (specialOnly && mailbox.specialUse === null) continue;
    const attributes = [hasChildren(mailbox) ? '\\HasChildren' : '\\HasNoChildren'];
    if (showSubscribed && mailbox.subscribed) attributes.push('\\Subscribed');
    if (mailbox.specialUse !== null) attributes.push(mailbox.specialUse);
    session.io.write(`* ${verb} (${attributes.join(' ')}) ${WIRE_DELIMITER} ${wireMailboxName(session, mailbox.name)}\r\n`);
    if (statusItems !== null) session.io.write(`* STATUS ${wireMailboxName(session, mailbox.name)} ${await statusValues(index, mailbox, statusItems)}\r\n`);
  }
  return { status: 'OK' as const, text: `${verb} completed` };
}

export const list: Command = { states: AUTHENTICATED, run: (context) => listMailboxes(context, false) };
export const lsub: Command = { states: AUTHENTICATED, run: (context) => listMailboxes(context, true) };
