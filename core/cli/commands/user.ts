// `yubin user add|passwd|remove|list|moved`: mailbox owners. New users get the default mailboxes at
// once, so clients see Sent/Drafts/Trash on first login. Servers read the Directory on every login
// and RCPT, so changes apply to running servers without a restart.
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../auth/password.js';
import { domainOf } from '../../mail/address.js';
import type { Storage } from '../../ports/index.js';
import { ensureDefaultMailboxes } from '../../storage/default-mailboxes.js';
import { canonicalAddress, canonicalDomain, expectPositionals, parseCommandArguments, stringOption } from '../arguments.js';
import { CliError, commandGroup, writeLine, type CliContext } from '../cli-context.js';
import { newPassword } from '../password-input.js';
import { formatSize, parseSize } from '../sizes.js';

const USAGE = {
  add: 'user add ADDRESS [--password-stdin] [--quota SIZE]',
  passwd: 'user passwd ADDRESS [--password-stdin]',
  remove: 'user remove ADDRESS',
  list: 'user list [DOMAIN]',
  moved: 'user moved ADDRESS NEW-ADDRESS',
} as const;

const PASSWORD_OPTIONS = { 'password-stdin': { type: 'boolean' } } as const;

async function requireHostedDomain(storage: Storage, address: string): Promise<void> {
  const domain = domainOf(address);
  if ((await storage.directory.getDomain(domain)) === null)
    throw new CliError(`unknown domain ${domain}: add it first with \`yubin domain add ${domain}\``);
}

function reportPassword(context: CliContext, address: string, generated: { password: string; generated: boolean }): void {
  if (generated.generated) writeLine(context.stdout, `password for ${address}: ${generated.password}`);
}

async function add(args: readonly string[], context: CliContext): Promise<void> {
  const { positionals, values } = parseCommandArguments(USAGE.add, args, { ...PASSWORD_OPTIONS, quota: { type: 'string' } });
  expectPositionals(USAGE.add, positionals, 1);
  const address = canonicalAddress(positionals[0]!);
  const quotaOption = stringOption(values, 'quota');
  const quotaBytes = quotaOption === undefined ? null : parseSize(quotaOption);
  const storage = await context.storage();
  await requireHostedDomain(storage, address);
  if ((await storage.directory.getUser(address)) !== null) throw new CliError(`user ${address} already exists`);
  const password = await newPassword(values['password-stdin'] === true, context.stdin);
  const user = await storage.directory.addUser({ address, passwordHash: await hashPassword(password.password), quotaBytes });
  await ensureDefaultMailboxes(storage.mailIndex, user.id);
  writeLine(context.stdout, `added user ${address}${quotaBytes === null ? '' : ` (quota ${formatSize(quotaBytes)})`}`);
  reportPassword(context, address, password);
}

async function passwd(args: readonly string[], context: CliContext): Promise<void> {
  const { positionals, values } = parseCommandArguments(USAGE.passwd, args, PASSWORD_OPTIONS);
  expectPositionals(USAGE.passwd, positionals, 1);
  const address = canonicalAddress(positionals[0]!);
  const storage = await context.storage();
  if ((await storage.directory.getUser(address)) === null) throw new CliError(`no such user ${address}`);
  const password = await newPassword(values['password-stdin'] === true, context.stdin);
  await storage.directory.updateUser(address, { passwordHash: await hashPassword(password.password) });
  writeLine(context.stdout, `changed the password of ${address}`);
  reportPassword(context, address, password);
}

/** UIDs moved per call when emptying INBOX (stays well inside one index transaction). */
const REMOVAL_BATCH_MESSAGES = 500;

/**
 * Deletes every mailbox; blobs no other message references are recorded as unreferenced, and the
 * storage housekeeper of a running server deletes them after its grace period. INBOX cannot be
 * deleted (RFC 3501 §6.3.4), so its messages move to a scratch mailbox that is deleted like the rest.
 */
async function deleteAllMail(storage: Storage, userId: string): Promise<number> {
  const { mailIndex } = storage;
  const inbox = await mailIndex.getMailbox(userId, 'INBOX');
  if (inbox && inbox.messageCount > 0) {
    const scratch = await mailIndex.createMailbox(userId, `yubin-removal-${randomUUID()}`);
    const uids = await mailIndex.listUids(inbox.id);
    for (let start = 0; start < uids.length; start += REMOVAL_BATCH_MESSAGES)
      await mailIndex.moveMessages(inbox.id, uids.slice(start, start + REMOVAL_BATCH_MESSAGES), scratch.id);
  }
  let messages = 0;
  for (const mailbox of await mailIndex.listMailboxes(userId)) {
    if (mailbox.name === 'INBOX') continue;
    messages += mailbox.messageCount;
    await mailIndex.deleteMailbox(userId, mailbox.name);
  }
  return messages;
}

async function remove(args: readonly string[], context: CliContext): Promise<void> {
  const { positionals } = parseCommandArguments(USAGE.remove, args);
  expectPositionals(USAGE.remove, positionals, 1);
  const address = canonicalAddress(positionals[0]!);
  const storage = await context.storage();
  const user = await storage.directory.getUser(address);
  if (user === null) throw new CliError(`no such user ${address}`);
  // Account first, so that no login or delivery reaches the mail while it is being deleted.
  await storage.directory.removeUser(address);
  const messages = await deleteAllMail(storage, user.id);
  writeLine(context.stdout, `removed user ${address} and ${messages} messages`);
}

async function list(args: readonly string[], context: CliContext): Promise<void> {
  const { positionals } = parseCommandArguments(USAGE.list, args);
  expectPositionals(USAGE.list, positionals, 0, 1);
  const domain = positionals[0] === undefined ? undefined : canonicalDomain(positionals[0]);
  const storage = await context.storage();
  writeLine(context.stdout, ['ADDRESS', 'STATUS', 'USED', 'QUOTA', 'MESSAGES'].join('\t'));
  for (const user of await storage.directory.listUsers(domain)) {
    const usage = await storage.mailIndex.getQuotaUsage(user.id);
    const status = user.status === 'moved' ? `moved to ${user.movedTo}` : user.status;
    const quota = user.quotaBytes === null ? 'none' : formatSize(user.quotaBytes);
    const percent = user.quotaBytes ? ` (${Math.round((100 * usage.usedBytes) / user.quotaBytes)}%)` : '';
    writeLine(context.stdout, [user.address, status, formatSize(usage.usedBytes) + percent, quota, String(usage.messageCount)].join('\t'));
  }
}

/** Mail to the old address is refused with 551 5.1.6 naming the new one (RFC 5321 §3.4). */
async function moved(args: readonly string[], context: CliContext): Promise<void> {
  const { positionals } = parseCommandArguments(USAGE.moved, args);
  expectPositionals(USAGE.moved, positionals, 2);
  const address = canonicalAddress(positionals[0]!);
  const movedTo = canonicalAddress(positionals[1]!);
  if (address === movedTo) throw new CliError('the new address is the old one');
  const storage = await context.storage();
  if ((await storage.directory.getUser(address)) === null) throw new CliError(`no such user ${address}`);
  await storage.directory.updateUser(address, { status: 'moved', movedTo });
  writeLine(context.stdout, `${address} is now marked as moved to ${movedTo}`);
}

export const userCommands = commandGroup('mailbox owners', {
  add: { usage: USAGE.add, run: add },
  passwd: { usage: USAGE.passwd, run: passwd },
  remove: { usage: USAGE.remove, run: remove },
  list: { usage: USAGE.list, run: list },
  moved: { usage: USAGE.moved, run: moved },
});
