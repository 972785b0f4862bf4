// `yubin dkim generate DOMAIN [--selector S] [--ed25519]`: a new signing key (core/dkim), stored
// through the Directory (SQLite locally; on AWS the private key goes to the DKIM secret in Secrets
// Manager, the table keeps selector and date), and the TXT record to publish. Run again to rotate.
// `yubin dkim migrate`: stores every domain's current key again, which on AWS moves keys kept in the
// table by earlier versions into the secret (they are read from the table until then).
import { defaultDkimSelector, generateDkimKey } from '../../dkim/generate-dkim-key.js';
import { canonicalDomain, expectPositionals, parseCommandArguments, stringOption } from '../arguments.js';
import { CliError, commandGroup, writeLine } from '../cli-context.js';
import { dkimRecord } from '../dns/dns-records.js';
import { formatZoneRecord } from '../dns/zone-format.js';

export const dkimCommands = commandGroup('DKIM signing keys', {
  generate: {
    usage: 'dkim generate DOMAIN [--selector S] [--ed25519]',
    async run(args, context) {
      const { positionals, values } = parseCommandArguments(this.usage, args, {
        selector: { type: 'string' },
        ed25519: { type: 'boolean' },
      });
      expectPositionals(this.usage, positionals, 1);
      const domain = canonicalDomain(positionals[0]!);
      const selector = (stringOption(values, 'selector') ?? defaultDkimSelector(context.now())).toLowerCase();
      if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/u.test(selector)) throw new CliError(`not a valid selector: ${JSON.stringify(selector)}`);
      const storage = await context.storage();
      if ((await storage.directory.getDomain(domain)) === null)
        throw new CliError(`unknown domain ${domain}: add it first with \`yubin domain add ${domain}\``);
      const key = generateDkimKey(domain, selector, { ed25519: values.ed25519 === true, now: context.now() });
      await storage.directory.putDkimKey(key);
      writeLine(context.stdout, `new ${key.algorithm} key for ${domain}, selector ${selector}; publish:`);
      writeLine(context.stdout, formatZoneRecord(dkimRecord(key)));
    },
  },
  migrate: {
    usage: 'dkim migrate',
    async run(args, context) {
      const { positionals } = parseCommandArguments(this.usage, args);
      expectPositionals(this.usage, positionals, 0);
      const { directory } = await context.storage();
      let stored = 0;
      for (const domain of await directory.listDomains()) {
        const key = await directory.getDkimKey(domain.name);
        if (key === null) continue;
        // Idempotent: a key already in the secret is written back unchanged.
        await directory.putDkimKey(key);
        stored++;
        writeLine(context.stdout, `${domain.name}: key ${key.selector} stored`);
      }
      writeLine(context.stdout, `${stored} DKIM key${stored === 1 ? '' : 's'} stored where this deployment keeps them`);
    },
  },
});
