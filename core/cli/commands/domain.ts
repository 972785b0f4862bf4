// `yubin domain add|list|remove`: the hosted domains. Removing refuses while users or aliases remain
// (the Directory says 'conflict'), so no mailbox is orphaned by accident.
import { canonicalDomain, expectPositionals, parseCommandArguments } from '../arguments.js';
import { commandGroup, writeLine } from '../cli-context.js';

export const domainCommands = commandGroup('hosted domains', {
  add: {
    usage: 'domain add DOMAIN',
    async run(args, context) {
      const { positionals } = parseCommandArguments(this.usage, args);
      expectPositionals(this.usage, positionals, 1);
      const { directory } = await context.storage();
      const domain = await directory.addDomain(canonicalDomain(positionals[0]!));
      writeLine(context.stdout, `added domain ${domain.name}; next: yubin dkim generate ${domain.name}, then yubin dns ${domain.name}`);
    },
  },
  list: {
    usage: 'domain list',
    async run(args, context) {
      const { positionals } = parseCommandArguments(this.usage, args);
      expectPositionals(this.usage, positionals, 0);
      const { directory } = await context.storage();
      for (const domain of await directory.listDomains()) writeLine(context.stdout, `${domain.name}\t${domain.createdAt.toISOString()}`);
    },
  },
  remove: {
    usage: 'domain remove DOMAIN',
    async run(args, context) {
      const { positionals } = parseCommandArguments(this.usage, args);
      expectPositionals(this.usage, positionals, 1);
      const name = canonicalDomain(positionals[0]!);
      const { directory } = await context.storage();
      await directory.removeDomain(name);
      writeLine(context.stdout, `removed domain ${name}`);
    },
  },
});
