// `yubin dkim generate DOMAIN [--selector S] [--ed25519]`: a new signing key, stored through the
// Directory (Secrets Manager on AWS), and the TXT record to publish. RSA is 2048 bits, the size
// RFC 8301 §3.2 asks verifiers to accept; Ed25519 (RFC 8463) is smaller but not yet verified by all.
import { generateKeyPairSync } from 'node:crypto';
import type { DkimKey } from '../../ports/index.js';
import { canonicalDomain, expectPositionals, parseCommandArguments, stringOption } from '../arguments.js';
import { CliError, commandGroup, writeLine } from '../cli-context.js';
import { dkimRecord } from '../dns/dns-records.js';
import { formatZoneRecord } from '../dns/zone-format.js';

/** RFC 6376 §3.1: a selector is a sub-domain; a date-based one makes rotations easy to follow. */
function defaultSelector(now: Date): string {
  return `yubin${now.toISOString().slice(0, 7).replace('-', '')}`;
}

function generateKey(domain: string, selector: string, ed25519: boolean, now: Date): DkimKey {
  const { privateKey } = ed25519 ? generateKeyPairSync('ed25519') : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    domain,
    selector,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    algorithm: ed25519 ? 'ed25519-sha256' : 'rsa-sha256',
    createdAt: now,
  };
}

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
      const selector = (stringOption(values, 'selector') ?? defaultSelector(context.now())).toLowerCase();
      if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/u.test(selector)) throw new CliError(`not a valid selector: ${JSON.stringify(selector)}`);
      const storage = await context.storage();
      if ((await storage.directory.getDomain(domain)) === null)
        throw new CliError(`unknown domain ${domain}: add it first with \`yubin domain add ${domain}\``);
      const key = generateKey(domain, selector, values.ed25519 === true, context.now());
      await storage.directory.putDkimKey(key);
      writeLine(context.stdout, `new ${key.algorithm} key for ${domain}, selector ${selector}; publish:`);
      writeLine(context.stdout, formatZoneRecord(dkimRecord(key)));
    },
  },
});
