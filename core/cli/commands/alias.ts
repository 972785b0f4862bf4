// `yubin alias add|remove|list`: addresses that deliver to other addresses. The source is a full
// address or `@domain` (the domain's catch-all, used only when no user or alias matches).
// Targets may be hosted or remote (forwarding); `add` merges with the targets already there.
import type { Storage } from '../../ports/index.js';
import { canonicalAddress, canonicalDomain, expectPositionals, parseCommandArguments } from '../arguments.js';
import { CliError, commandGroup, writeLine } from '../cli-context.js';

/** `@Example.COM` → `@example.com`; `Sales@Example.com` → canonical address. */
function canonicalSource(input: string): { source: string; domain: string } {
  if (input.startsWith('@')) {
    const domain = canonicalDomain(input.slice(1));
    return { source: `@${domain}`, domain };
  }
  const source = canonicalAddress(input);
  return { source, domain: source.slice(source.lastIndexOf('@') + 1) };
}

async function requireHosted(storage: Storage, domain: string): Promise<void> {
  if ((await storage.directory.getDomain(domain)) === null)
    throw new CliError(`unknown domain ${domain}: add it first with \`yubin domain add ${domain}\``);
}

export const aliasCommands = commandGroup('aliases, forwarding and catch-all', {
  add: {
    usage: 'alias add SOURCE|@DOMAIN TARGET…',
    async run(args, context) {
      const { positionals } = parseCommandArguments(this.usage, args);
      expectPositionals(this.usage, positionals, 2, Number.MAX_SAFE_INTEGER);
      const { source, domain } = canonicalSource(positionals[0]!);
      const targets = positionals.slice(1).map(canonicalAddress);
      if (targets.includes(source)) throw new CliError(`${source} cannot be its own target`);
      const storage = await context.storage();
      await requireHosted(storage, domain);
      const existing = await storage.directory.getAlias(source);
      const merged = [...new Set([...(existing?.targets ?? []), ...targets])];
      await storage.directory.putAlias({ source, targets: merged });
      writeLine(context.stdout, `${source} → ${merged.join(', ')}`);
    },
  },
  remove: {
    usage: 'alias remove SOURCE|@DOMAIN [TARGET…]',
    async run(args, context) {
      const { positionals } = parseCommandArguments(this.usage, args);
      expectPositionals(this.usage, positionals, 1, Number.MAX_SAFE_INTEGER);
      const { source } = canonicalSource(positionals[0]!);
      const storage = await context.storage();
      const existing = await storage.directory.getAlias(source);
      if (existing === null) throw new CliError(`no alias ${source}`);
      const dropped = new Set(positionals.slice(1).map(canonicalAddress));
      const remaining = existing.targets.filter((target) => !dropped.has(target));
      if (dropped.size === 0 || remaining.length === 0) {
        await storage.directory.removeAlias(source);
        writeLine(context.stdout, `removed alias ${source}`);
      } else {
        await storage.directory.putAlias({ source, targets: remaining });
        writeLine(context.stdout, `${source} → ${remaining.join(', ')}`);
      }
    },
  },
  list: {
    usage: 'alias list [DOMAIN]',
    async run(args, context) {
      const { positionals } = parseCommandArguments(this.usage, args);
      expectPositionals(this.usage, positionals, 0, 1);
      const domain = positionals[0] === undefined ? undefined : canonicalDomain(positionals[0]);
      const storage = await context.storage();
      for (const alias of await storage.directory.listAliases(domain))
        writeLine(context.stdout, `${alias.source}\t${alias.targets.join(', ')}`);
    },
  },
});
