// `yubin dns DOMAIN` prints every record to publish (zone-file lines, or JSON with --json) and the
// MTA-STS policy file; `yubin dns check DOMAIN [--resolver host:port]` looks them up and says
// which are missing or wrong and what to write instead. Exit code 1 when anything needs fixing.
import { canonicalAddress, canonicalDomain, expectPositionals, parseCommandArguments, stringOption } from '../arguments.js';
import { CliError, commandGroup, writeLine, type CliContext, type Verb } from '../cli-context.js';
import { createResolver } from '../../net/dns-resolver.js';
import { checkRecords } from '../dns/dns-check.js';
import { domainRecords, type DomainRecords } from '../dns/dns-records.js';
import { formatZoneRecord } from '../dns/zone-format.js';

async function recordsFor(context: CliContext, domainInput: string, reportAddress: string | undefined): Promise<DomainRecords> {
  const domain = canonicalDomain(domainInput);
  const { directory } = await context.storage();
  if ((await directory.getDomain(domain)) === null)
    throw new CliError(`unknown domain ${domain}: add it first with \`yubin domain add ${domain}\``);
  const host = context.deployment.endpoints.hostname;
  if (!host.includes('.'))
    writeLine(
      context.stderr,
      `note: the mail host name is ${JSON.stringify(host)}; set YUBIN_HOSTNAME to the public name MX and clients should use`,
    );
  const dkimKey = await directory.getDkimKey(domain);
  if (dkimKey === null)
    writeLine(context.stderr, `note: ${domain} has no DKIM key yet; run \`yubin dkim generate ${domain}\` and print the records again`);
  return domainRecords({
    domain,
    deployment: context.deployment,
    dkimKey,
    reportAddress: reportAddress === undefined ? undefined : canonicalAddress(reportAddress),
  });
}

const print: Verb = {
  usage: 'dns DOMAIN [--rua ADDRESS] [--json]',
  async run(args, context) {
    const { positionals, values } = parseCommandArguments(this.usage, args, { rua: { type: 'string' }, json: { type: 'boolean' } });
    expectPositionals(this.usage, positionals, 1);
    const { records, mtaStsPolicy } = await recordsFor(context, positionals[0]!, stringOption(values, 'rua'));
    if (values.json === true) {
      writeLine(context.stdout, JSON.stringify({ records, mtaStsPolicy }, null, 2));
      return;
    }
    let purpose = '';
    for (const record of records) {
      if (record.purpose !== purpose) writeLine(context.stdout, `; ${(purpose = record.purpose)}`);
      writeLine(context.stdout, formatZoneRecord(record));
    }
    const host = context.deployment.endpoints.hostname;
    writeLine(
      context.stdout,
      `; MTA-STS policy, served by the mail access service at https://mta-sts.${canonicalDomain(positionals[0]!)}/.well-known/mta-sts.txt (the certificate must cover that name)`,
    );
    for (const line of mtaStsPolicy.trimEnd().split('\r\n')) writeLine(context.stdout, `;   ${line}`);
    writeLine(
      context.stdout,
      `; autoconfig: http(s)://autoconfig.<domain>/mail/config-v1.1.xml and https://autodiscover.<domain>/autodiscover/autodiscover.xml are answered by ${host}`,
    );
  },
};

const check: Verb = {
  usage: 'dns check DOMAIN [--resolver HOST:PORT] [--rua ADDRESS]',
  async run(args, context) {
    const { positionals, values } = parseCommandArguments(this.usage, args, { resolver: { type: 'string' }, rua: { type: 'string' } });
    expectPositionals(this.usage, positionals, 1);
    const { records } = await recordsFor(context, positionals[0]!, stringOption(values, 'rua'));
    const resolverOption = stringOption(values, 'resolver');
    // A bounded wait: a stale resolver must not hang the command (2 tries × 3 s).
    const results = await checkRecords(createResolver(resolverOption === undefined ? [] : [resolverOption], 3_000), records);
    for (const result of results) {
      const label = `${result.status.toUpperCase().padEnd(13)} ${result.record.purpose.padEnd(19)} ${result.record.type.padEnd(5)} ${result.record.name}`;
      writeLine(context.stdout, label);
      if (result.status === 'ok') continue;
      if (result.found.length > 0) writeLine(context.stdout, `    found:    ${result.found.join(' | ')}`);
      if (result.note) writeLine(context.stdout, `    why:      ${result.note}`);
      writeLine(context.stdout, `    write:    ${formatZoneRecord(result.record)}`);
    }
    const failing = results.filter((result) => result.status !== 'ok').length;
    writeLine(
      context.stdout,
      failing === 0 ? `all ${results.length} records are in place` : `${failing} of ${results.length} records need attention`,
    );
    if (failing > 0) throw new CliError(`${failing} DNS records are missing or wrong`, 1);
  },
};

export const dnsCommands = commandGroup('DNS records to publish, and a check of what is published', { check }, print);
