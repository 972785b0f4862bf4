// Argument parsing for the command groups: node:util parseArgs with the group's own options, plus
// the checks every command repeats (exact positional count, a hosted address). Errors are CliErrors.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { normalizeAddress } from '../mail/address.js';
import { CliError } from './cli-context.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArguments {
  readonly positionals: string[];
  readonly values: Record<string, string | boolean | undefined>;
}

export function parseCommandArguments(usage: string, args: readonly string[], options: Options = {}): ParsedArguments {
  try {
    const { positionals, values } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { positionals, values: values as ParsedArguments['values'] };
  } catch (error) {
    throw new CliError(`${(error as Error).message}\nusage: ${usage}`, 2);
  }
}

export function expectPositionals(usage: string, positionals: readonly string[], min: number, max = min): void {
  if (positionals.length < min || positionals.length > max) throw new CliError(`usage: ${usage}`, 2);
}

export function canonicalAddress(input: string): string {
  const address = normalizeAddress(input);
  if (address === null) throw new CliError(`not a valid mail address: ${JSON.stringify(input)}`);
  return address;
}

/** RFC 1035 §2.3.1 labels (letters, digits, hyphens), compared in lower case; IDNs as A-labels. */
export function canonicalDomain(input: string): string {
  const domain = input.trim().toLowerCase().replace(/\.$/u, '');
  const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/u;
  if (domain.length > 253 || !domain.includes('.') || !domain.split('.').every((part) => label.test(part))) {
    throw new CliError(`not a valid domain name: ${JSON.stringify(input)}`);
  }
  return domain;
}

export function stringOption(values: ParsedArguments['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A global option (`--stack NAME` or `--stack=NAME`) anywhere on the command line, taken out of it. */
export function takeGlobalOption(argv: readonly string[], name: string): { readonly value: string | undefined; readonly rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === `--${name}`) {
      value = argv[++i];
      if (value === undefined || value.startsWith('-')) throw new CliError(`--${name} needs a value`, 2);
    } else if (word.startsWith(`--${name}=`)) value = word.slice(name.length + 3);
    else rest.push(word);
  }
  return { value, rest };
}
