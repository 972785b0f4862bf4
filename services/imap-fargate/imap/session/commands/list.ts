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

interface ListEntry {
  readonly name: string;
  /** null: a level of the hierarchy that is no mailbox, only the parent of some. */
  readonly mailbox: Mailbox | null;
}

/**
 * The mailboxes, plus every missing parent of one (never created, or deleted while it had children):
 * RFC 3501 §6.3.8 lists such levels as \Noselect, and clients that walk the tree level by level with
 * `%` (Thunderbird, mutt's browser) would never reach `a/b` if `a` were left out. Dovecot does the same.
 */
function withMissingParents(mailboxes: readonly Mailbox[]): ListEntry[] {
  const byName = new Map<string, Mailbox | null>(mailboxes.map((mailbox) => [mailbox.name, mailbox]));
  for (const { name } of mailboxes) {
    for (let cut = name.indexOf('/'); cut > 0; cut = name.indexOf('/', cut + 1)) {
      if (!byName.has(name.slice(0, cut))) byName.set(name.slice(0, cut), null);
    }
  }
  const inboxFirst = (a: string, b: string) => (a === 'INBOX' ? -1 : b === 'INBOX' ? 1 : a.localeCompare(b));
  return [...byName].map(([name, mailbox]) => ({ name, mailbox })).sort((a, b) => inboxFirst(a.name, b.name));
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
  const decode = (text: string) => (session.utf8 ? text : (decodeMutf7(text) ?? text));
  const matchers = patterns.map((p) => patternToRegExp(normalizeMailboxName(decode(reference + p))));
  const index = session.deps.storage.mailIndex;
  const entries = withMissingParents(await index.listMailboxes(session.user!.id));
  const hasChildren = (name: string) => entries.some((other) => other.name.startsWith(name + '/'));
  // RFC 5258 §3: an extended LIST (selection or return options, or several patterns) says \NonExistent.
  const extended = selection.length > 0 || returns.length > 0 || patternToken.kind === 'list';
  for (const { name, mailbox } of entries) {
    if (!matchers.some((re) => re.test(name))) continue;
    if (mailbox === null) {
      if (subscribedOnly || specialOnly) continue;
      session.io.write(
        `* ${verb} (${extended ? '\\NonExistent' : '\\Noselect'} \\HasChildren) ${WIRE_DELIMITER} ${wireMailboxName(session, name)}\r\n`,
      );
      continue;
    }
    if (subscribedOnly && !mailbox.subscribed) continue;
    if (specialOnly && mailbox.specialUse === null) continue;
    const attributes = [hasChildren(name) ? '\\HasChildren' : '\\HasNoChildren'];
    if (showSubscribed && mailbox.subscribed) attributes.push('\\Subscribed');
    if (mailbox.specialUse !== null) attributes.push(mailbox.specialUse);
    session.io.write(`* ${verb} (${attributes.join(' ')}) ${WIRE_DELIMITER} ${wireMailboxName(session, name)}\r\n`);
    if (statusItems !== null)
      session.io.write(`* STATUS ${wireMailboxName(session, name)} ${await statusValues(index, mailbox, statusItems)}\r\n`);
  }
  return { status: 'OK' as const, text: `${verb} completed` };
}

export const list: Command = { states: AUTHENTICATED, run: (context) => listMailboxes(context, false) };
export const lsub: Command = { states: AUTHENTICATED, run: (context) => listMailboxes(context, true) };
